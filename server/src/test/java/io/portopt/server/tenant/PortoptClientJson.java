package io.portopt.server.tenant;

import tools.jackson.databind.json.JsonMapper;

final class PortoptClientJson {
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private PortoptClientJson() {
    }

    static byte[] bytes(Object value) {
        return JSON.writeValueAsBytes(value);
    }
}
