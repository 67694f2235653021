/** How a stage log's records are keyed to partitions; see groupByPartition. */
export type PartitionKey =
  | { readonly by: 'trace_id' }
  | { readonly by: 'series' }
  | { readonly by: 'attribute'; readonly name: string }
  | { readonly by: 'none' };
