package org.dmp.qualifier.profile;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.function.BooleanSupplier;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.StateStore;
import org.apache.kafka.streams.processor.StateStoreContext;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.StoreBuilder;
import org.apache.kafka.streams.state.internals.CacheFlushListener;
import org.apache.kafka.streams.state.internals.CachedStateStore;
import org.apache.kafka.streams.state.internals.WrappedStateStore;
import org.dmp.avro.Profile;

/**
 * A replay's profile store: the profiles it is given are held as objects and written to the store
 * beneath (RocksDB and its changelog) only when Kafka Streams flushes its caches, which it does
 * before each commit, or when they pass the bound in bytes. A visitor's many events between two
 * commits then cost one decode and one encode, where a store that holds bytes, Kafka Streams' own
 * cache included, costs both at every event; and the profile processor keeps a held profile's
 * realizations unpacked (see {@link #unpacked}), packed only when the profile is written or read by
 * others. A commit writes what changed and keeps holding it, so that a visitor's events after the
 * commit need not read back what it wrote; past the bound, everything held is written and let go.
 *
 * <p>Kafka Streams flushes, before a commit, the stores that implement its {@link
 * CachedStateStore}, and hands a processor its stores in a {@link WrappedStateStore}; both are in
 * its internals, so an upgrade of Kafka Streams must check that this one still is flushed, and
 * still found (ShadowProfilesTest). Under exactly-once, what is held here and not yet written is
 * lost with an aborted transaction, as it must be. A profile read from another thread (a query)
 * sees what the stream thread holds: every method is synchronized, which costs nothing while only
 * the stream thread calls.
 */
final class ProfileCache
    implements KeyValueStore<String, Profile>, CachedStateStore<String, Profile> {
  private final KeyValueStore<String, Profile> store;
  private final long mostBytes;
  private final BooleanSupplier unneeded;
  private final Map<String, Held> held = new HashMap<>();
  private long heldBytes;

  /**
   * A profile held, its realizations unpacked (null: in its packed bytes), about how many bytes of
   * heap it takes, and whether the store beneath has it as it is.
   */
  private record Held(Profile profile, TraitTimes traitTimes, long bytes, boolean written) {
    /** The profile, its realizations packed into it. */
    Profile packed() {
      if (traitTimes != null) {
        traitTimes.writeTo(profile);
      }
      return profile;
    }
  }

  /**
   * A profile (null: none) and its realizations unpacked, which its packed bytes may not hold yet
   * (null: they do).
   */
  record Unpacked(Profile profile, TraitTimes traitTimes) {}

  private ProfileCache(
      KeyValueStore<String, Profile> store, long mostBytes, BooleanSupplier unneeded) {
    this.store = store;
    this.mostBytes = mostBytes;
    this.unneeded = unneeded;
  }

  /**
   * The cache {@code store} is, beneath the wrappers Kafka Streams hands processors; null when it
   * is none (the live qualifier's profile store).
   */
  static ProfileCache within(StateStore store) {
    StateStore each = store;
    while (!(each instanceof ProfileCache) && each instanceof WrappedStateStore<?, ?, ?> wrapper) {
      each = wrapper.wrapped();
    }
    return each instanceof ProfileCache cache ? cache : null;
  }

  /** The store the profiles are written to. */
  KeyValueStore<String, Profile> beneath() {
    return store;
  }

  /**
   * Builds the store {@code beneath} builds, with a cache of at most {@code mostBytes} above it.
   *
   * @param unneeded true once what is held need not be written: the store is about to be thrown
   *     away (a finished replay's), and writing it would only delay the close
   */
  static StoreBuilder<KeyValueStore<String, Profile>> over(
      StoreBuilder<KeyValueStore<String, Profile>> beneath,
      long mostBytes,
      BooleanSupplier unneeded) {
    return new StoreBuilder<>() {
      @Override
      public StoreBuilder<KeyValueStore<String, Profile>> withCachingEnabled() {
        throw new UnsupportedOperationException("this store is a cache already");
      }

      @Override
      public StoreBuilder<KeyValueStore<String, Profile>> withCachingDisabled() {
        beneath.withCachingDisabled();
        return this;
      }

      @Override
      public StoreBuilder<KeyValueStore<String, Profile>> withLoggingEnabled(
          Map<String, String> config) {
        beneath.withLoggingEnabled(config);
        return this;
      }

      @Override
      public StoreBuilder<KeyValueStore<String, Profile>> withLoggingDisabled() {
        beneath.withLoggingDisabled();
        return this;
      }

      @Override
      public KeyValueStore<String, Profile> build() {
        return new ProfileCache(beneath.build(), mostBytes, unneeded);
      }

      @Override
      public Map<String, String> logConfig() {
        return beneath.logConfig();
      }

      @Override
      public boolean loggingEnabled() {
        return beneath.loggingEnabled();
      }

      @Override
      public String name() {
        return beneath.name();
      }
    };
  }

  /** About the heap a profile takes: its realizations dominate. */
  private static long bytesOf(Profile profile, TraitTimes traitTimes) {
    ByteBuffer packed = profile.getTraitTimes();
    long realizations =
        traitTimes != null ? traitTimes.packedLength() : packed == null ? 0 : packed.capacity();
    return 512L + realizations + 160L * profile.getRealizations().size();
  }

  @Override
  public synchronized Profile get(String key) {
    Held cached = held.get(key);
    return cached != null ? cached.packed() : store.get(key);
  }

  /** The profile, held or written, with its realizations as held. */
  synchronized Unpacked unpacked(String key) {
    Held cached = held.get(key);
    return cached != null
        ? new Unpacked(cached.profile(), cached.traitTimes())
        : new Unpacked(store.get(key), null);
  }

  @Override
  public synchronized void put(String key, Profile profile) {
    put(key, profile, null);
  }

  /**
   * Holds the profile with its realizations unpacked (null: in its packed bytes), which are packed
   * when it is written or read by others.
   */
  synchronized void put(String key, Profile profile, TraitTimes traitTimes) {
    if (profile == null) {
      delete(key);
      return;
    }
    long bytes = bytesOf(profile, traitTimes);
    Held before = held.put(key, new Held(profile, traitTimes, bytes, false));
    heldBytes += bytes - (before == null ? 0 : before.bytes());
    if (heldBytes > mostBytes) {
      flushCache();
      clearCache();
    }
  }

  @Override
  public synchronized Profile putIfAbsent(String key, Profile profile) {
    Profile current = get(key);
    if (current == null) {
      put(key, profile);
    }
    return current;
  }

  @Override
  public synchronized void putAll(List<KeyValue<String, Profile>> entries) {
    entries.forEach(entry -> put(entry.key, entry.value));
  }

  @Override
  public synchronized Profile delete(String key) {
    Held cached = held.remove(key);
    if (cached != null) {
      heldBytes -= cached.bytes();
    }
    Profile written = store.delete(key);
    return cached != null ? cached.packed() : written;
  }

  /** Writes every profile held that changed since it was last written to the store beneath. */
  @Override
  public synchronized void flushCache() {
    if (unneeded.getAsBoolean()) {
      clearCache();
      return;
    }
    held.replaceAll(
        (key, cached) -> {
          if (cached.written()) {
            return cached;
          }
          store.put(key, cached.packed());
          return new Held(cached.profile(), cached.traitTimes(), cached.bytes(), true);
        });
  }

  @Override
  public synchronized void clearCache() {
    held.clear();
    heldBytes = 0;
  }

  @Override
  public boolean setFlushListener(
      CacheFlushListener<String, Profile> listener, boolean sendOldValues) {
    return false;
  }

  /** Every profile, those held overriding those written, in key order. */
  @Override
  public synchronized KeyValueIterator<String, Profile> all() {
    List<Keyed> heldByKey = new ArrayList<>(held.size());
    held.forEach((key, cached) -> heldByKey.add(new Keyed(key, cached.packed())));
    heldByKey.sort((one, other) -> Arrays.compareUnsigned(one.bytes(), other.bytes()));
    return new Merged(heldByKey, store.all());
  }

  /** Not needed by the qualifier, which ranges over its change index only. */
  @Override
  public KeyValueIterator<String, Profile> range(String from, String to) {
    throw new UnsupportedOperationException("a replay's profiles are read one by one or all");
  }

  @Override
  public synchronized long approximateNumEntries() {
    return store.approximateNumEntries() + held.size();
  }

  @Override
  public String name() {
    return store.name();
  }

  @Override
  public void init(StateStoreContext context, StateStore root) {
    store.init(context, root);
  }

  @Override
  public synchronized void flush() {
    flushCache();
    store.flush();
  }

  @Override
  public synchronized void close() {
    clearCache();
    store.close();
  }

  @Override
  public boolean persistent() {
    return store.persistent();
  }

  @Override
  public boolean isOpen() {
    return store.isOpen();
  }

  /** A held profile and its key's UTF-8 bytes, whose order is the store beneath's. */
  private record Keyed(String key, Profile profile, byte[] bytes) {
    Keyed(String key, Profile profile) {
      this(key, profile, key.getBytes(StandardCharsets.UTF_8));
    }
  }

  /** The written profiles with the held ones merged in, both in key order. */
  private static final class Merged implements KeyValueIterator<String, Profile> {
    private final Iterator<Keyed> held;
    private final KeyValueIterator<String, Profile> written;
    private Keyed nextHeld;
    private KeyValue<String, Profile> nextWritten;
    private byte[] nextWrittenBytes;

    Merged(List<Keyed> held, KeyValueIterator<String, Profile> written) {
      this.held = held.iterator();
      this.written = written;
      this.nextHeld = this.held.hasNext() ? this.held.next() : null;
      advanceWritten();
    }

    private void advanceWritten() {
      nextWritten = written.hasNext() ? written.next() : null;
      nextWrittenBytes =
          nextWritten == null ? null : nextWritten.key.getBytes(StandardCharsets.UTF_8);
    }

    /** Negative when the next held profile comes first, positive when the next written one does. */
    private int order() {
      return nextHeld == null
          ? 1
          : nextWritten == null ? -1 : Arrays.compareUnsigned(nextHeld.bytes(), nextWrittenBytes);
    }

    @Override
    public boolean hasNext() {
      return nextHeld != null || nextWritten != null;
    }

    @Override
    public KeyValue<String, Profile> next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int order = order();
      if (order > 0) {
        KeyValue<String, Profile> result = nextWritten;
        advanceWritten();
        return result;
      }
      KeyValue<String, Profile> result = KeyValue.pair(nextHeld.key(), nextHeld.profile());
      nextHeld = held.hasNext() ? held.next() : null;
      if (order == 0) {
        advanceWritten();
      }
      return result;
    }

    @Override
    public String peekNextKey() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      return order() > 0 ? nextWritten.key : nextHeld.key();
    }

    @Override
    public void close() {
      written.close();
    }
  }
}
