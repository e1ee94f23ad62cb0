package strongly.store;

/** The journal could not be written; the change was not applied and must not be acknowledged. */
public final class StorageException extends RuntimeException {
    public StorageException(String message, Throwable cause) { super(message, cause); }
}
