/**
 * The policy in force on the guarded client: the numbers of its annotations, or the Fault Tolerance keys that override
 * them, read once for every view (and admission's timeout). The core needs none of it: the annotations are the policy.
 */
package dev.fastcircuitbreaker.offer.policy;
