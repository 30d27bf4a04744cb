package io.portopt.server.system;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.cfg.DateTimeFeature;
import tools.jackson.databind.module.SimpleModule;
import tools.jackson.databind.type.LogicalType;
import tools.jackson.databind.json.JsonMapper;

import java.time.Instant;

/**
 * One strict JSON mapper: unknown fields, duplicate keys, trailing tokens, coercions (numbers as
 * strings or instants, strings as numbers) are errors.
 */
@Configuration(proxyBeanMethods = false)
public class JsonConfig {
    @Bean
    public JsonMapper jsonMapper() {
        return strictMapper();
    }

    public static JsonMapper strictMapper() {
        return JsonMapper.builder()
                .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
                .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                .disable(DateTimeFeature.WRITE_DATES_AS_TIMESTAMPS)
                // Ids and codes are strings: 42, true or 4.2 where a string belongs are errors too.
                .withCoercionConfig(LogicalType.Textual, cfg -> cfg
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .addModule(new SimpleModule("strict-instants").addDeserializer(Instant.class, new StrictInstantDeserializer()))
                .build();
    }
}
