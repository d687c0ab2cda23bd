package dev.fastcircuitbreaker.offer.errors;

import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import io.quarkus.arc.profile.UnlessBuildProfile;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.vertx.core.json.Json;
import io.vertx.ext.web.Router;

/**
 * offer's own errors as a small JSON body, never an HTML page or a stack trace: an unknown path (404), a wrong method
 * (405), an {@code Accept} that offer cannot answer (406). Not in dev mode, where Quarkus' own error pages help more:
 * its 404 page lists the endpoints. partner-offer has the same few lines: each service stays a module of its own,
 * built, run in dev mode and containerised alone.
 */
@UnlessBuildProfile("dev")
public class ErrorResponses {

    @RegisterForReflection
    public record Error(int status, String error) {

        static Error of(int status) {
            Response.StatusType type = Response.Status.fromStatusCode(status);
            return new Error(status, type == null ? "Error" : type.getReasonPhrase());
        }
    }

    @ServerExceptionMapper
    public RestResponse<Error> webApplicationException(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        return RestResponse.ResponseBuilder.<Error> create(status).entity(Error.of(status))
                .type(MediaType.APPLICATION_JSON_TYPE).build();
    }

    /** Paths no endpoint matches never reach the mapper above: answer them last, after every other route. */
    void unknownPaths(@Observes Router router) {
        router.route().last().handler(context -> context.response()
                .setStatusCode(404)
                .putHeader("Content-Type", MediaType.APPLICATION_JSON)
                .end(Json.encode(Error.of(404))));
    }
}
