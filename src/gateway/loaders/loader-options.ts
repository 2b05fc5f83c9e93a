/** Options every gateway loader takes. */
export interface LoaderOptions {
  /**
   * Whether loads of one tick are batched into one request. Only the read benchmark turns it off,
   * to measure the naive one-request-per-record resolvers against the batched ones. @default true
   */
  batch?: boolean;
}
