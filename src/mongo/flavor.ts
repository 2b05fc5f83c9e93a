import type { Db } from 'mongodb';

/**
 * Which server answers: a MongoDB, or FerretDB. They differ in one way the stores must know about:
 * FerretDB 1.24's SQLite backend hands SQLite a filter only when it is exactly `{_id: value}`; any
 * other filter makes FerretDB decode and test every document of the collection in Go (about 70 µs
 * each), and a conditional update is no more atomic than a read followed by a write.
 */
export type MongoFlavor = 'mongodb' | 'ferretdb';

const flavors = new WeakMap<Db, Promise<MongoFlavor>>();

/** The flavor of the server behind `db`, asked once per Db (`buildInfo` names FerretDB's version). */
export function mongoFlavorOf(db: Db): Promise<MongoFlavor> {
  let flavor = flavors.get(db);
  if (!flavor) {
    flavor = db
      .admin()
      .command({ buildInfo: 1 })
      .then((info): MongoFlavor => ('ferretdbVersion' in info ? 'ferretdb' : 'mongodb'));
    // A failed probe is asked again next time rather than remembered.
    flavor.catch(() => flavors.delete(db));
    flavors.set(db, flavor);
  }
  return flavor;
}
