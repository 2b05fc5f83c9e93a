package gateway.embedded;

import de.bwaldvogel.mongo.MongoDatabase;
import de.bwaldvogel.mongo.backend.CollectionOptions;
import de.bwaldvogel.mongo.backend.CursorRegistry;
import de.bwaldvogel.mongo.backend.QueryResult;
import de.bwaldvogel.mongo.backend.ValueComparator;
import de.bwaldvogel.mongo.backend.memory.MemoryBackend;
import de.bwaldvogel.mongo.backend.memory.MemoryCollection;
import de.bwaldvogel.mongo.backend.memory.MemoryDatabase;
import de.bwaldvogel.mongo.bson.Document;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * mongo-java-server's in-memory backend with what MongoDB's _id index gives for free: documents in
 * _id order. The stock backend answers every sorted query by matching the whole collection and
 * sorting it (a page of 10 links out of 100,000 took 220 ms); here a query sorted by `{_id: 1}` walks
 * an ordered map of _id to storage position from its `_id: {$gt | $gte: …}` bound, tests each document
 * with the backend's own matcher, and stops at the limit. Results are exactly the stock backend's
 * (same matcher, same order, same projection); other queries are left to it.
 */
public final class IdOrderedMemoryBackend extends MemoryBackend {
  private final CursorRegistry cursors = getCursorRegistry();

  @Override
  public MemoryDatabase openOrCreateDatabase(String databaseName) {
    return new MemoryDatabase(databaseName, cursors) {
      @Override
      protected MemoryCollection openOrCreateCollection(String collectionName, CollectionOptions options) {
        return new IdOrderedCollection(this, collectionName, options, cursors);
      }
    };
  }

  /** A MemoryCollection that also keeps its documents' positions by _id, in _id order. */
  static final class IdOrderedCollection extends MemoryCollection {
    private final NavigableMap<Object, Integer> positionsById = new TreeMap<>(ValueComparator.asc());

    IdOrderedCollection(MongoDatabase database, String name, CollectionOptions options, CursorRegistry cursors) {
      super(database, name, options, cursors);
    }

    @Override
    protected Integer addDocumentInternal(Document document) {
      Integer position = super.addDocumentInternal(document);
      positionsById.put(document.get(getIdField()), position);
      return position;
    }

    @Override
    protected void removeDocument(Integer position) {
      Document document = getDocument(position);
      if (document != null) positionsById.remove(document.get(getIdField()));
      super.removeDocument(position);
    }

    @Override
    protected QueryResult matchDocuments(
        Document query, Document orderBy, int numberToSkip, int numberToReturn, int batchSize, Document projection) {
      if (!isAscendingById(orderBy)) {
        return super.matchDocuments(query, orderBy, numberToSkip, numberToReturn, batchSize, projection);
      }
      Stream<Document> inIdOrder = from(query.get(getIdField())).values().stream().map(this::getDocument);
      // No comparator: the stream is in order already, so skip and limit end the walk early.
      return matchDocumentsFromStream(query, inIdOrder, numberToSkip, numberToReturn, batchSize, null, projection);
    }

    /** The part of the map a query's _id condition can start from: after `$gt`, at `$gte`, else all. */
    private NavigableMap<Object, Integer> from(Object idCondition) {
      if (!(idCondition instanceof Document condition)) return positionsById;
      if (condition.containsKey("$gt")) return positionsById.tailMap(condition.get("$gt"), false);
      if (condition.containsKey("$gte")) return positionsById.tailMap(condition.get("$gte"), true);
      return positionsById;
    }

    private boolean isAscendingById(Document orderBy) {
      if (orderBy == null || orderBy.size() != 1) return false;
      Object direction = orderBy.get(getIdField());
      return direction instanceof Number number && number.doubleValue() == 1;
    }
  }
}
