package strongly.http;

@FunctionalInterface
public interface Handler {
    Response handle(Request req);
}
