package gateway.embedded;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import java.io.IOException;
import java.io.InputStream;

/**
 * Runs mongo-java-server with its in-memory backend on 127.0.0.1:PORT until stopped. Prints one line,
 * "listening 127.0.0.1:PORT", once bound. Stops on SIGTERM/SIGINT, and when its standard input closes,
 * so that it never outlives the process that started it, even one killed with SIGKILL.
 */
public final class EmbeddedMongo {
  private EmbeddedMongo() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 1) {
      System.err.println("usage: EmbeddedMongo PORT");
      System.exit(2);
    }
    int port = Integer.parseInt(args[0]);
    MongoServer server = new MongoServer(new MemoryBackend());
    server.bind("127.0.0.1", port);
    Runtime.getRuntime().addShutdownHook(new Thread(server::shutdownNow, "shutdown"));
    System.out.println("listening 127.0.0.1:" + port);
    System.out.flush();
    InputStream in = System.in;
    try {
      while (in.read() != -1) {
        // Nothing is ever sent; reading only notices the parent going away.
      }
    } catch (IOException ignored) {
      // Same: the parent is gone.
    }
    System.exit(0);
  }
}
