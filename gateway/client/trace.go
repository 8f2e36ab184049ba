package client

import (
	"context"

	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/gateway/identity"
)

// CreateProduct registers a product (a GTIN) of the caller's enterprise.
func (c *Client) CreateProduct(ctx context.Context, as *identity.Identity, in api.ProductInput) (Written[api.Product], error) {
	return submitDoc[api.Product](ctx, c, as, api.TxCreateProduct, in)
}

// GetProduct reads a product.
func (c *Client) GetProduct(ctx context.Context, as *identity.Identity, gtin string) (api.Product, error) {
	return evaluate[api.Product](ctx, c, as, api.TxGetProduct, gtin)
}

// CommissionLot commissions a lot of a product at its origin.
func (c *Client) CommissionLot(ctx context.Context, as *identity.Identity, in api.LotInput) (Written[api.Lot], error) {
	return submitDoc[api.Lot](ctx, c, as, api.TxCommissionLot, in)
}

// GetLot reads a lot with its recall status.
func (c *Client) GetLot(ctx context.Context, as *identity.Identity, gtin, lot string) (api.LotView, error) {
	return evaluate[api.LotView](ctx, c, as, api.TxGetLot, gtin, lot)
}

// CommissionItems commissions serialized items of a lot.
func (c *Client) CommissionItems(ctx context.Context, as *identity.Identity, gtin, lot string, serials []string) (Written[[]api.Item], error) {
	return submitDoc[[]api.Item](ctx, c, as, api.TxCommissionItems, serials, gtin, lot)
}

// GetItem reads a serialized item with its lot's recall status.
func (c *Client) GetItem(ctx context.Context, as *identity.Identity, gtin, lot, serial string) (api.ItemView, error) {
	return evaluate[api.ItemView](ctx, c, as, api.TxGetItem, gtin, lot, serial)
}

// ListLotEvents pages through a lot's events; cursor "" starts, limit ""
// takes the default page size.
func (c *Client) ListLotEvents(ctx context.Context, as *identity.Identity, gtin, lot, cursor, limit string) (api.LotEventsPage, error) {
	return evaluate[api.LotEventsPage](ctx, c, as, api.TxListLotEvents, gtin, lot, cursor, limit)
}

// IssueCertificate records an inspector's or regulator's certificate.
func (c *Client) IssueCertificate(ctx context.Context, as *identity.Identity, in api.CertificateInput) (Written[api.Certificate], error) {
	return submitDoc[api.Certificate](ctx, c, as, api.TxIssueCertificate, in)
}

// GetCertificate reads a certificate.
func (c *Client) GetCertificate(ctx context.Context, as *identity.Identity, id string) (api.Certificate, error) {
	return evaluate[api.Certificate](ctx, c, as, api.TxGetCertificate, id)
}

// ListLotCertificates lists the certificates about a lot.
func (c *Client) ListLotCertificates(ctx context.Context, as *identity.Identity, gtin, lot string) ([]api.Certificate, error) {
	return evaluate[[]api.Certificate](ctx, c, as, api.TxListLotCertificates, gtin, lot)
}

// RecallLot recalls a lot.
func (c *Client) RecallLot(ctx context.Context, as *identity.Identity, gtin, lot, reason string) (Written[api.Recall], error) {
	return submit[api.Recall](ctx, c, as, api.TxRecallLot, gtin, lot, reason)
}

// RecordEvent records an EPCIS-modelled event; recording the same event
// again answers the first.
func (c *Client) RecordEvent(ctx context.Context, as *identity.Identity, in api.EventInput) (Written[api.TraceEvent], error) {
	return submitDoc[api.TraceEvent](ctx, c, as, api.TxRecordEvent, in)
}

// GetEvent reads an event by its id.
func (c *Client) GetEvent(ctx context.Context, as *identity.Identity, id string) (api.TraceEvent, error) {
	return evaluate[api.TraceEvent](ctx, c, as, api.TxGetEvent, id)
}

// HandOver hands a lot into another enterprise's custody.
func (c *Client) HandOver(ctx context.Context, as *identity.Identity, gtin, lot, toCreditCode string) (Written[api.Handover], error) {
	return submit[api.Handover](ctx, c, as, api.TxHandOver, gtin, lot, toCreditCode)
}

// Lineage walks a lot's transformations up or down to maxDepth.
func (c *Client) Lineage(ctx context.Context, as *identity.Identity, gtin, lot, direction, maxDepth string) (api.LineageResult, error) {
	return evaluate[api.LineageResult](ctx, c, as, api.TxLineage, gtin, lot, direction, maxDepth)
}

// GetTrace is the public trace document of a lot or serialized item.
func (c *Client) GetTrace(ctx context.Context, as *identity.Identity, gtin, lot, serial string) (api.TraceDocument, error) {
	return evaluate[api.TraceDocument](ctx, c, as, api.TxGetTrace, gtin, lot, serial)
}

// HasCustody says whether an enterprise holds a lot.
func (c *Client) HasCustody(ctx context.Context, as *identity.Identity, gtin, lot, creditCode string) (api.CustodyResult, error) {
	return evaluate[api.CustodyResult](ctx, c, as, api.TxHasCustody, gtin, lot, creditCode)
}
