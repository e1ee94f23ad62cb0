package strongly.store;

import strongly.json.Json;

import java.io.ByteArrayOutputStream;
import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32;

/**
 * Append-only journal: one record per line, {@code <crc32 hex> <json>\n}.
 * Every append is written and fsynced (FileChannel.force) before it returns.
 * A torn final line (crash during a write) is detected by its CRC / missing newline and cut off
 * at replay; damage anywhere else stops the server from starting rather than losing data silently.
 */
public final class Journal implements Closeable {
    public static final String FILE_NAME = "journal.log";
    private static final String LOCK_NAME = "server.lock";

    private final Path dir;
    private final Path file;
    private final FileChannel lockChannel;
    private final FileLock lock;
    private FileChannel ch;
    private long size;
    private boolean broken;
    private long lines;

    public Journal(Path dir) throws IOException {
        this.dir = dir;
        Files.createDirectories(dir);
        this.file = dir.resolve(FILE_NAME);
        this.lockChannel = FileChannel.open(dir.resolve(LOCK_NAME), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        // A previous server on this directory may still be exiting after SIGTERM: wait for it a while.
        FileLock l = null;
        long deadline = System.currentTimeMillis() + 15000;
        while (true) {
            try {
                l = lockChannel.tryLock();
            } catch (java.nio.channels.OverlappingFileLockException e) {
                l = null;
            }
            if (l != null || System.currentTimeMillis() > deadline) break;
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        if (l == null) {
            lockChannel.close();
            throw new IOException("data directory " + dir + " is in use by another server process");
        }
        this.lock = l;
        boolean existed = Files.exists(file);
        this.ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
        if (!existed) fsyncDir();
        this.size = ch.size();
    }

    /** Reads every intact record. Cuts off a torn tail; throws if the damage is not at the tail. */
    @SuppressWarnings("unchecked")
    public List<Map<String, Object>> replay() throws IOException {
        byte[] all = Files.readAllBytes(file);
        List<Map<String, Object>> out = new ArrayList<>();
        int start = 0;
        long goodEnd = 0;
        int badLineAt = -1;
        String badWhy = null;
        int lineNo = 0;
        while (start < all.length) {
            int nl = indexOf(all, (byte) '\n', start);
            lineNo++;
            String why = null;
            Map<String, Object> rec = null;
            if (nl < 0) {
                why = "incomplete last line (no newline)";
            } else {
                int len = nl - start;
                if (len < 10 || all[start + 8] != ' ') {
                    why = "malformed line";
                } else {
                    try {
                        long crc = Long.parseLong(new String(all, start, 8, StandardCharsets.US_ASCII), 16);
                        CRC32 c = new CRC32();
                        c.update(all, start + 9, len - 9);
                        if (c.getValue() != crc) {
                            why = "checksum mismatch";
                        } else {
                            Object o = Json.parse(new String(all, start + 9, len - 9, StandardCharsets.UTF_8));
                            if (!(o instanceof Map)) why = "record is not an object";
                            else rec = (Map<String, Object>) o;
                        }
                    } catch (NumberFormatException | Json.JsonException e) {
                        why = "unreadable record: " + e.getMessage();
                    }
                }
            }
            if (why != null) {
                if (badLineAt < 0) { badLineAt = lineNo; badWhy = why; }
            } else {
                if (badLineAt >= 0) {
                    throw new IOException("journal " + file + " is damaged at line " + badLineAt + " (" + badWhy
                            + ") and has intact records after it; refusing to start. Inspect the file.");
                }
                out.add(rec);
                goodEnd = nl + 1;
            }
            start = nl < 0 ? all.length : nl + 1;
        }
        if (badLineAt >= 0) {
            System.err.println("journal: dropping torn tail at line " + badLineAt + " (" + badWhy + "), "
                    + (all.length - goodEnd) + " bytes; this write was never acknowledged");
            ch.truncate(goodEnd);
            ch.force(true);
        }
        size = goodEnd;
        lines = out.size();
        return out;
    }

    private static int indexOf(byte[] a, byte b, int from) {
        for (int i = from; i < a.length; i++) if (a[i] == b) return i;
        return -1;
    }

    private static byte[] encode(Map<String, Object> record) {
        byte[] body = Json.write(record).getBytes(StandardCharsets.UTF_8);
        CRC32 c = new CRC32();
        c.update(body);
        byte[] head = String.format("%08x ", c.getValue()).getBytes(StandardCharsets.US_ASCII);
        byte[] line = new byte[head.length + body.length + 1];
        System.arraycopy(head, 0, line, 0, head.length);
        System.arraycopy(body, 0, line, head.length, body.length);
        line[line.length - 1] = '\n';
        return line;
    }

    /** Appends one record and fsyncs. On failure the file is rolled back to its previous length. */
    public synchronized void append(Map<String, Object> record) throws IOException {
        if (broken) throw new IOException("journal is unusable after an earlier write failure");
        if (ch == null) throw new IOException("journal is closed");
        byte[] line = encode(record);
        long before = size;
        try {
            ByteBuffer buf = ByteBuffer.wrap(line);
            long pos = before;
            while (buf.hasRemaining()) pos += ch.write(buf, pos);
            ch.force(false);
            size = before + line.length;
            lines++;
        } catch (IOException e) {
            try {
                ch.truncate(before);
                ch.force(true);
            } catch (IOException e2) {
                broken = true;
            }
            throw e;
        }
    }

    public long lineCount() { return lines; }

    /** Atomically replaces the journal with the given records (a snapshot of the current state). */
    public synchronized void rewrite(List<Map<String, Object>> records) throws IOException {
        Path tmp = dir.resolve(FILE_NAME + ".tmp");
        ByteArrayOutputStream bos = new ByteArrayOutputStream();
        for (Map<String, Object> r : records) bos.write(encode(r));
        try (FileChannel t = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            ByteBuffer buf = ByteBuffer.wrap(bos.toByteArray());
            while (buf.hasRemaining()) t.write(buf);
            t.force(true);
        }
        ch.close();
        ch = null;
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        fsyncDir();
        ch = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE);
        size = ch.size();
        lines = records.size();
    }

    private void fsyncDir() {
        try (FileChannel d = FileChannel.open(dir, StandardOpenOption.READ)) {
            d.force(true);
        } catch (IOException ignored) {
            // some platforms cannot fsync a directory; the file data itself is still forced
        }
    }

    @Override
    public synchronized void close() throws IOException {
        try {
            if (ch != null) {
                ch.force(true);
                ch.close();
                ch = null;
            }
        } finally {
            try { lock.release(); } catch (IOException ignored) { }
            lockChannel.close();
        }
    }
}
