package io.portopt.server.tenant;

import jakarta.servlet.http.HttpServletRequest;

import java.util.regex.Pattern;

/** The caller of a {@code /v1} request, set by {@link TenantFilter} once its key is verified. */
public record Tenant(String id, Double ratePerSecond) {
    private static final String ATTRIBUTE = Tenant.class.getName();
    private static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9_-]{0,62}");

    public static boolean isValidId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    public boolean limited() {
        return ratePerSecond != null;
    }

    /** The tenant of the current request; every {@code /v1} request has one. */
    public static Tenant of(HttpServletRequest request) {
        Object tenant = request.getAttribute(ATTRIBUTE);
        if (tenant instanceof Tenant t) {
            return t;
        }
        throw new IllegalStateException("no tenant on " + request.getRequestURI());
    }

    public static Tenant orNull(HttpServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof Tenant t ? t : null;
    }

    void attachTo(HttpServletRequest request) {
        request.setAttribute(ATTRIBUTE, this);
    }
}
