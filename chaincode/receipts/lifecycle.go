package receipts

import (
	"github.com/qingchain/qingchain/chaincode/api"
	"github.com/qingchain/qingchain/chaincode/kit"
)

// Life is the receipt's status table. Financing pledges, releases and
// takes receipts, so it is exported; the holder's and the warehouse's
// moves are this package's.
func Life() kit.Lifecycle {
	const issued, pledged, redeeming = api.ReceiptIssued, api.ReceiptPledged, api.ReceiptRedeeming
	return kit.Lifecycle{Entity: "receipt", Moves: []kit.Move{
		{Name: "split", From: []string{issued}, To: api.ReceiptSplit, Refusal: " and cannot be split"},
		{Name: "request redemption", From: []string{issued}, To: redeeming, Refusal: " and cannot be redeemed"},
		{Name: "withdraw redemption", From: []string{redeeming}, To: issued},
		{Name: "confirm redemption", From: []string{redeeming}, To: api.ReceiptRedeemed, Refusal: "; the holder has not asked to redeem it"},
		{Name: "cancel", From: []string{issued}, To: api.ReceiptCancelled, Refusal: " and cannot be cancelled"},
		{Name: "pledge", From: []string{issued}, To: pledged, Refusal: " and cannot be pledged"},
		{Name: "release", From: []string{pledged}, To: issued},
		// On default the bank takes the goods: the receipt is its, unpledged.
		{Name: "take", From: []string{pledged}, To: issued},
	}}
}
