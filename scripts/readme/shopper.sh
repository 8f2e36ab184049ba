# The shopper: a tin of tea and a pack of chicken, scanned.
GW=${QC_LISTEN:-localhost:8080}; DATA=${QC_DATA_DIR:-data}
key()  { jq -r --arg n "$1" '.users[] | select(.name == $n) | .apiKey' "$DATA/demo-credentials.json"; }
demo() { jq -r "$1" "$DATA/demo.json"; }
demo .tea.itemDigitalLink; demo .chicken.itemDigitalLink   # open these in a browser
TEA=/01/06901234500028/10/BT-2026-06A/21/TIN00001
curl -s "$GW$TEA?lang=en" | grep -o '<title>[^<]*</title>'                  # the page a phone shows
curl -s -H 'Accept: application/json' "$GW$TEA" | jq '{lot: .trace.lot.lot, origin: .trace.lot.origin, events: .trace.eventCount, recalled: .trace.recalled, block: .proof.blockNumber, scans: .scans.count}'   # the same, as JSON
curl -s -o tin.png "$GW/qr$TEA.png" && ls -l tin.png                          # its QR code (.svg too)
curl -s -H 'Accept: application/linkset+json' "$GW$TEA" | jq -r '.linkset[0] | keys[]'   # its links, an RFC 9264 linkset by GS1 link type
curl -s -o /dev/null -D - "$GW$TEA?linkType=gs1:certificationInfo&lang=en" | grep -i '^location:'   # expect 307
curl -sI "$GW$TEA" | grep -i '^link:'                                         # HEAD: the headers alone, not counted as a scan
curl -s "$GW/.well-known/gs1resolver" | jq -c .                              # the resolver's description
curl -s "$GW/reports" --json '{"link":"'$TEA'","kind":"suspicious","message":"The seal was broken"}' | jq -c '{id, producer}'   # a shopper's report (the page has the form)
curl -s -H "Authorization: Bearer $(key tea-coop)" "$GW/api/v1/reports" | jq -c '.reports[] | {id, kind, message}'   # the producer reads it, the regulator too
curl -s -H "Authorization: Bearer $(key tea-coop)" "$GW/api/v1/lots/06901234500028/BT-2026-06A/epcis" | jq '{type, events: (.epcisBody.eventList | length)}'   # EPCIS 2.0 JSON-LD
