package gateway.embedded;

import de.bwaldvogel.mongo.MongoServer;
import de.bwaldvogel.mongo.ServerVersion;
import java.io.IOException;
import java.io.InputStream;

/**
 * Runs mongo-java-server with its in-memory backend (pages in _id order by an ordered map: IdOrderedMemoryBackend) on 127.0.0.1:PORT until stopped. Prints one line,
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
    // The newest version 1.47.0 can report: MongoDB 5.0, wire version 8, which is exactly the oldest
    // the Node driver 6.x accepts (MIN_SUPPORTED_WIRE_VERSION = 8); MONGO_4_0 (7) would be refused.
    MongoServer server = new MongoServer(new IdOrderedMemoryBackend().version(ServerVersion.MONGO_5_0));
    try {
      server.bind("127.0.0.1", port);
    } catch (Exception e) {
      // Without this the JVM would live on (the server's threads are not daemons) without listening.
      System.err.println("cannot listen on 127.0.0.1:" + port + ": " + e.getMessage());
      System.exit(1);
    }
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
