// Package lineage answers the trace reads that assemble a whole story
// from the record trace keeps: a lot's lineage up and down, and the trace
// document the shopper's page and the due-diligence views show.
package lineage
