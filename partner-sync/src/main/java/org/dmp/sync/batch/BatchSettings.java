package org.dmp.sync.batch;

import java.nio.file.Path;
import java.time.Duration;

/**
 * Where batch destinations keep their open windows, how they close them, and how long an upload may
 * take.
 *
 * @param grace how long after a window's end its changes may still arrive before the file is
 *     written
 * @param sortRun how many changes are sorted in memory at once when a window closes
 * @param uploadTimeout how long the partner has to take one uploaded file
 */
public record BatchSettings(Path spoolDir, Duration grace, int sortRun, Duration uploadTimeout) {}
