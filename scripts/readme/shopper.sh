# The shopper: a tin of tea and a pack of chicken, scanned.
GW=${QC_LISTEN:-localhost:8080}; DATA=${QC_DATA_DIR:-data}
key()  { jq -r --arg n "$1" '.users[] | select(.name == $n) | .apiKey' "$DATA/demo-credentials.json"; }
demo() { jq -r "$1" "$DATA/demo.json"; }
demo .tea.itemDigitalLink; demo .chicken.itemDigitalLink   # open these in a browser
TEA=/01/06901234500028/10/BT-2026-06A/21/TIN00001
curl -s "$GW$TEA?lang=en" | grep -o '<title>[^<]*</title>'                  # the page a phone shows
curl -s -H 'Accept: application/json' "$GW$TEA" | jq '{lot: .trace.lot.lot, origin: .trace.lot.origin, events: .trace.eventCount, recalled: .trace.recalled, block: .proof.blockNumber, scans: .scans.count}'   # the same, as JSON
curl -s -o tin.png "$GW/qr$TEA.png" && ls -l tin.png                          # its QR code (.svg too)
curl -s -H "Authorization: Bearer $(key tea-coop)" "$GW/api/v1/lots/06901234500028/BT-2026-06A/epcis" | jq '{type, events: (.epcisBody.eventList | length)}'   # EPCIS 2.0 JSON-LD
