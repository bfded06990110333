package org.dmp.edge.http;

/**
 * How much of a call the edge reads before refusing it.
 *
 * @param maxUrlBytes longer URLs get 414
 * @param maxBodyBytes larger POST bodies get 413
 * @param maxKeys more keys get 400
 * @param maxKeyLength a longer key gets 400
 */
public record RequestLimits(int maxUrlBytes, int maxBodyBytes, int maxKeys, int maxKeyLength) {}
