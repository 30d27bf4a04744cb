package io.portopt.server.cache;

import io.lettuce.core.internal.HostAndPort;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** PORTOPT_REDIS_ADDRESS_MAP: the addresses Sentinel gives out, translated to the ones a server can reach. */
class RedisAddressMapTest {
    @Test
    void eachPairMapsOneAddressToAnother() {
        var map = SharedCache.parseAddressMap("127.0.0.1:6380=127.0.0.1:15010, 127.0.0.1:6381=127.0.0.1:15013");
        assertThat(map).containsEntry(HostAndPort.of("127.0.0.1", 6380), HostAndPort.of("127.0.0.1", 15010))
                .containsEntry(HostAndPort.of("127.0.0.1", 6381), HostAndPort.of("127.0.0.1", 15013)).hasSize(2);
    }

    @Test
    void emptyMeansNoTranslation() {
        assertThat(SharedCache.parseAddressMap("")).isEmpty();
        assertThat(SharedCache.parseAddressMap(null)).isEmpty();
    }

    @Test
    void aMalformedEntryIsRefusedWithTheSettingsName() {
        assertThatThrownBy(() -> SharedCache.parseAddressMap("127.0.0.1:6380"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("redis-address-map");
    }
}
