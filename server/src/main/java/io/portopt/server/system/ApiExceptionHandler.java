package io.portopt.server.system;

import jakarta.servlet.http.HttpServletRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.http.ResponseEntity;
import org.springframework.web.HttpMediaTypeNotAcceptableException;
import org.springframework.web.HttpMediaTypeNotSupportedException;
import org.springframework.web.HttpRequestMethodNotSupportedException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.method.annotation.MethodArgumentTypeMismatchException;
import org.springframework.web.servlet.resource.NoResourceFoundException;

import java.util.List;

/** Maps every failure to problem+json; unexpected ones are logged and answered without details. */
@RestControllerAdvice
public class ApiExceptionHandler {
    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);

    @ExceptionHandler(ApiException.class)
    ResponseEntity<byte[]> api(ApiException e, HttpServletRequest request) {
        return Problems.of(e, request.getRequestURI());
    }

    @ExceptionHandler(HttpRequestMethodNotSupportedException.class)
    ResponseEntity<byte[]> method(HttpRequestMethodNotSupportedException e, HttpServletRequest request) {
        ResponseEntity<byte[]> response = Problems.of(405, "Method Not Allowed",
                request.getMethod() + " is not supported here", request.getRequestURI(), List.of(), null);
        return ResponseEntity.status(405).headers(response.getHeaders())
                .header("Allow", e.getSupportedHttpMethods() == null ? "" :
                        String.join(", ", e.getSupportedHttpMethods().stream().map(Object::toString).toList()))
                .body(response.getBody());
    }

    @ExceptionHandler(NoResourceFoundException.class)
    ResponseEntity<byte[]> notFound(NoResourceFoundException e, HttpServletRequest request) {
        return Problems.of(404, "Not Found", "no such resource", request.getRequestURI(), List.of(), null);
    }

    @ExceptionHandler(HttpMediaTypeNotSupportedException.class)
    ResponseEntity<byte[]> mediaType(HttpMediaTypeNotSupportedException e, HttpServletRequest request) {
        return Problems.of(415, "Unsupported Media Type", "send JSON with Content-Type: application/json",
                request.getRequestURI(), List.of(), null);
    }

    @ExceptionHandler(HttpMediaTypeNotAcceptableException.class)
    ResponseEntity<byte[]> notAcceptable(HttpMediaTypeNotAcceptableException e, HttpServletRequest request) {
        return Problems.of(406, "Not Acceptable", "responses are application/json", request.getRequestURI(), List.of(), null);
    }

    @ExceptionHandler({MissingServletRequestParameterException.class, MethodArgumentTypeMismatchException.class})
    ResponseEntity<byte[]> badParameter(Exception e, HttpServletRequest request) {
        return Problems.of(400, "Bad Request", "invalid or missing parameter", request.getRequestURI(), List.of(), null);
    }

    /** A query string Tomcat cannot decode (bad %-escapes, too many parameters). */
    @ExceptionHandler(org.apache.tomcat.util.http.InvalidParameterException.class)
    ResponseEntity<byte[]> badQuery(Exception e, HttpServletRequest request) {
        return Problems.of(400, "Bad Request", "the query string cannot be decoded", request.getRequestURI(), List.of(), null);
    }

    @ExceptionHandler({org.springframework.web.multipart.MultipartException.class,
            org.springframework.http.converter.HttpMessageNotReadableException.class})
    ResponseEntity<byte[]> unreadable(Exception e, HttpServletRequest request) {
        return Problems.of(415, "Unsupported Media Type", "send the body as JSON with Content-Type: application/json",
                request.getRequestURI(), List.of(), null);
    }

    @ExceptionHandler(InterruptedException.class)
    ResponseEntity<byte[]> interrupted(InterruptedException e, HttpServletRequest request) {
        Thread.currentThread().interrupt();
        return Problems.of(503, "Service Unavailable", "the server is shutting down", request.getRequestURI(), List.of(), 1L);
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<byte[]> unexpected(Exception e, HttpServletRequest request) {
        log.error("Unexpected failure on {} {}", request.getMethod(), request.getRequestURI(), e);
        return Problems.of(500, "Internal Server Error", "unexpected error; it has been logged",
                request.getRequestURI(), List.of(), null);
    }
}
