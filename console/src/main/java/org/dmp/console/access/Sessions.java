package org.dmp.console.access;

import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Optional;

/**
 * Who is logged in: sessions by an unguessable id (256 random bits), each ending after a time
 * without use, at most a given number held (the least recently used goes first). In memory: a
 * restarted console asks its users to log in again. Thread-safe.
 */
public final class Sessions {
  private static final int ID_BYTES = 32;

  private final SecureRandom random = new SecureRandom();
  private final Clock clock;
  private final Duration idle;
  private final int most;

  /** In order of last use, the least recent first. */
  private final LinkedHashMap<String, Session> byId = new LinkedHashMap<>(16, 0.75f, true);

  private record Session(String user, Instant lastUse) {}

  public Sessions(Clock clock, Duration idle, int most) {
    this.clock = clock;
    this.idle = idle;
    this.most = most;
  }

  /** A new session for {@code user}: its id, for the cookie. */
  public synchronized String open(String user) {
    byte[] bytes = new byte[ID_BYTES];
    random.nextBytes(bytes);
    String id = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    byId.put(id, new Session(user, clock.instant()));
    while (byId.size() > most) {
      byId.remove(byId.keySet().iterator().next());
    }
    return id;
  }

  /** The user of a live session, which this call keeps alive; empty if there is none. */
  public synchronized Optional<String> user(String id) {
    if (id == null) {
      return Optional.empty();
    }
    Session session = byId.get(id);
    Instant now = clock.instant();
    if (session == null || session.lastUse().plus(idle).isBefore(now)) {
      byId.remove(id);
      return Optional.empty();
    }
    byId.put(id, new Session(session.user(), now));
    return Optional.of(session.user());
  }

  public synchronized void close(String id) {
    if (id != null) {
      byId.remove(id);
    }
  }

  /** How many sessions are held, ended ones included until they are next looked at. */
  synchronized int size() {
    return byId.size();
  }
}
