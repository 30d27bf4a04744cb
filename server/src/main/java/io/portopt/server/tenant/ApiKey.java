package io.portopt.server.tenant;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An API key: {@code pok_<id>_<secret>}. The id (60 random bits, base32) is public: it names the key
 * in listings, logs and revocations. The secret carries 256 random bits; only the SHA-256 of the
 * whole key is stored, and a fast hash suffices because a 256-bit secret cannot be guessed.
 */
public record ApiKey(String id, String secret) {
    private static final String PREFIX = "pok_";
    private static final String ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
    private static final int ID_LENGTH = 12;
    private static final int SECRET_BYTES = 32;
    private static final Pattern FORMAT = Pattern.compile("pok_([a-z2-7]{12})_([A-Za-z0-9_-]{43})");
    private static final Pattern ID_FORMAT = Pattern.compile("[a-z2-7]{12}");

    public static ApiKey generate(SecureRandom random) {
        StringBuilder id = new StringBuilder(ID_LENGTH);
        for (int i = 0; i < ID_LENGTH; i++) {
            id.append(ID_ALPHABET.charAt(random.nextInt(ID_ALPHABET.length())));
        }
        byte[] secret = new byte[SECRET_BYTES];
        random.nextBytes(secret);
        return new ApiKey(id.toString(), Base64.getUrlEncoder().withoutPadding().encodeToString(secret));
    }

    /** The key in a bearer token, or empty when the token is not shaped like one of ours. */
    public static Optional<ApiKey> parse(String token) {
        if (token == null || token.length() > 100) {
            return Optional.empty();
        }
        Matcher m = FORMAT.matcher(token);
        return m.matches() ? Optional.of(new ApiKey(m.group(1), m.group(2))) : Optional.empty();
    }

    public static boolean isId(String id) {
        return id != null && ID_FORMAT.matcher(id).matches();
    }

    public String token() {
        return PREFIX + id + "_" + secret;
    }

    public byte[] hash() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(token().getBytes(StandardCharsets.US_ASCII));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** Compares in constant time, so response timing says nothing about how much of a guess was right. */
    public boolean matches(byte[] storedHash) {
        return MessageDigest.isEqual(hash(), storedHash);
    }

    @Override
    public String toString() {
        return "ApiKey[" + id + "]";
    }
}
