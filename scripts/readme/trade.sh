# The bank's four-flow view (三流合一): goods, customs, invoice and money of a trade.
GW=${QC_LISTEN:-localhost:8080}; DATA=${QC_DATA_DIR:-data}
key()  { jq -r --arg n "$1" '.users[] | select(.name == $n) | .apiKey' "$DATA/demo-credentials.json"; }
demo() { jq -r "$1" "$DATA/demo.json"; }
BANK=$(key bank); REG=$(key regulator)
OK=$(demo .trade.verified.receivable); BAD=$(demo .trade.mismatch.receivable)

# The verified 9710 export of Yingde tea: shipped, declared and released, invoiced, paid by the buyer
curl -s "$GW/api/v1/trades/$OK" -H "Authorization: Bearer $BANK" | jq '{verdict, goods: .goods | {quantity, unit, shippingEvents}, declared: .declared | {declarations, tradeModes, released, value}, invoice: .invoice | {number, amount, currency, buyer: .buyer.name}, money: .money | {net, payers}}'
# The mismatched trade: declared at ten times the invoice, paid from a third country
curl -s "$GW/api/v1/trades/$BAD" -H "Authorization: Bearer $BANK" | jq -r '.verdict, (.reasons[] | "\(.code): \(.detail)")'
# Its findings are risk flags on the receivable: BLOCKING ones refuse a financing's approval until overridden
curl -s "$GW/api/v1/risk-flags/receivable/$BAD" -H "Authorization: Bearer $BANK" | jq -r '.[] | "\(.severity)  \(.code)"'
# Verifying again records the verdict as the ledger stands now
curl -s -X POST "$GW/api/v1/trades/$OK/verify" -H "Authorization: Bearer $BANK" | jq -er '.result.verdict | select(. == "VERIFIED")'
# The regulator's list of mismatches; a bank may not read it
curl -s "$GW/api/v1/trade-mismatches" -H "Authorization: Bearer $REG" | jq -r '.[] | "\(.invoice.number)  \(.exporter)  \(.findings | map(.code) | join(","))"'
curl -s "$GW/api/v1/trade-mismatches" -H "Authorization: Bearer $BANK" | jq .error.code   # expect 403
# The declaration behind it, as customs recorded it
curl -s "$GW/api/v1/declarations/$(demo .trade.mismatch.declaration)" -H "Authorization: Bearer $BANK" | jq '{number, tradeMode, status, totalValue, currency, lines: [.lines[] | {hsCode, quantity, unit, value}]}'
