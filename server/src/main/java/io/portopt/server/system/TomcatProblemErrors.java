package io.portopt.server.system;

import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.springframework.boot.tomcat.ConfigurableTomcatWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.stereotype.Component;

import java.io.IOException;
import java.io.Writer;

/**
 * Requests Tomcat refuses before the application sees them (an undecodable or unsafe path such as
 * {@code /v1/plans/%00}, a malformed request line) are answered with problem+json too, instead of
 * Tomcat's HTML error page: every error of this API has the same shape.
 */
@Component
class TomcatProblemErrors implements WebServerFactoryCustomizer<ConfigurableTomcatWebServerFactory> {
    @Override
    public void customize(ConfigurableTomcatWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                host.setErrorReportValveClass(ProblemErrorReportValve.class.getName());
                // Spring Boot adds a plain ErrorReportValve of its own: ours must be the only one.
                for (var valve : host.getPipeline().getValves()) {
                    if (valve instanceof ErrorReportValve && !(valve instanceof ProblemErrorReportValve)) {
                        host.getPipeline().removeValve(valve);
                    }
                }
            }
        });
    }

    /** Tomcat's last-resort error report, as RFC 9457 problem+json without any server detail. */
    public static class ProblemErrorReportValve extends ErrorReportValve {
        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int status = response.getStatus();
            if (status < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
                return;
            }
            String title = switch (status) {
                case 400 -> "Bad Request";
                case 404 -> "Not Found";
                case 405 -> "Method Not Allowed";
                case 408 -> "Request Timeout";
                case 413 -> "Content Too Large";
                case 414 -> "URI Too Long";
                case 431 -> "Request Header Fields Too Large";
                case 503 -> "Service Unavailable";
                default -> status >= 500 ? "Internal Server Error" : "Error";
            };
            String detail = status >= 500 ? "unexpected error" : "the request was refused before it could be read";
            try {
                response.setContentType("application/problem+json");
                response.setCharacterEncoding("UTF-8");
                Writer writer = response.getReporter();
                if (writer != null) {
                    writer.write("{\"type\":\"about:blank\",\"title\":\"" + title + "\",\"status\":" + status
                            + ",\"detail\":\"" + detail + "\"}");
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException e) {
                // The client is gone or the response is already on its way: nothing more to say.
            }
        }
    }
}
