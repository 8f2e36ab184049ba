package tracepage

import (
	"bytes"
	"errors"
	"testing"
)

// samplePage has every part the template shows, with text that needs
// escaping.
func samplePage(lang string, scans *Scans) *Page {
	return &Page{
		Lang: lang, OtherLang: "en", OtherURL: "/01/1?lang=en", DigitalLink: "https://x/01/1", QRPath: "/qr/01/1.svg", TZ: "UTC+8",
		Product: Product{GTIN: "1", NameZh: "红茶 <b>", NameEn: "Black tea", GI: true, GIName: "英德红茶"},
		Lot:     Lot{Lot: "L1", Quantity: "10", Unit: "tin", PlaceZh: "英德", Lat: "24.1", Lon: "113.4", ProducerZh: "茶厂"},
		Item:    &Item{Serial: "S1", Container: "/01/2/10/C/21/X", ContainerURL: "/01/2/10/C/21/X"},
		Recall:  &Recall{Lot: "L0", Reason: "test & check", By: "监管", At: "2026-06-01 10:00", Inherited: true},
		Timeline: []Step{{Time: "2026-05-01 08:00", BizStep: "harvesting", Where: "园", Who: "农"}, {Same: 4},
			{Time: "2026-05-02 08:00", BizStep: "shipping", Excursion: true, Upstream: true, Lot: "L0"}},
		NotShown: []NotShown{{Kind: "step", BizStep: "shipping", Count: 3}, {Kind: "lots", Count: 2}},
		Certs:    []Cert{{Type: "ORGANIC", Number: "N1", Issuer: "所", Result: "PASS", DocHash: "abcdef0123456789abcdef0123456789", Verified: true, BlockNumber: 7, InspectedOn: "2026-05-01", ValidThen: true}},
		Proof:    &Proof{TxID: "tx1", BlockHash: "bh", Timestamp: "2026-05-01 08:00", BlockNumber: 3},
		Scans:    scans, Notice: "serial", NoticeValue: "S9", Report: &ReportForm{Action: "/reports", Link: "/01/1/10/L1/21/S9"}, Storage: "0–4 °C",
	}
}

// TestPartsWriteWhatRenderWrites: a page kept as Parts and written with
// another scan verdict of the same kind is byte for byte the page
// rendered whole with that verdict.
func TestPartsWriteWhatRenderWrites(t *testing.T) {
	for _, tc := range []struct {
		name         string
		lang         string
		made, served *Scans
	}{
		{"no scans", "zh", nil, nil},
		{"first check then many", "zh", &Scans{Count: 1, Devices: 1, First: "2026-06-01"}, &Scans{Count: 1874, Devices: 12, First: "2026-06-01"}},
		{"english", "en", &Scans{Count: 2, Devices: 1, First: "2026-06-01"}, &Scans{Count: 3, Devices: 2, First: "2026-06-01"}},
		{"first day that needs escaping", "en", &Scans{Count: 2, First: "<x>&'\"+"}, &Scans{Count: 5, Devices: 3, First: "a+b <c> & 'd\""}},
		{"suspicious", "en", &Scans{Count: 90, Devices: 40, First: "2026-05-01", Suspicious: true}, &Scans{Count: 91, Devices: 41, First: "2026-05-01", Suspicious: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			parts, err := RenderParts(samplePage(tc.lang, tc.made))
			if err != nil {
				t.Fatal(err)
			}
			var want bytes.Buffer
			b, err := parts.Append(nil, tc.served)
			if err != nil {
				t.Fatal(err)
			}
			got := bytes.NewBuffer(b)
			if err := Render(&want, samplePage(tc.lang, tc.served)); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got.Bytes(), want.Bytes()) {
				t.Errorf("parts wrote %d bytes differing from the page rendered whole (%d bytes)", got.Len(), want.Len())
			}
			if tc.served != nil && !bytes.Contains(got.Bytes(), []byte(Thousands(int(tc.served.Count)))) {
				t.Errorf("the verdict of the scans served (%d) is not on the page", tc.served.Count)
			}
		})
	}
}

func TestPartsRefuseAnotherKindOfVerdict(t *testing.T) {
	for _, tc := range []struct {
		name         string
		made, served *Scans
	}{
		{"scans on a page made without", nil, &Scans{Count: 1}},
		{"no scans on a page made with", &Scans{Count: 1}, nil},
		{"suspicious on a page made plain", &Scans{Count: 1}, &Scans{Count: 2, Suspicious: true}},
		{"plain on a page made suspicious", &Scans{Count: 1, Suspicious: true}, &Scans{Count: 2}},
	} {
		parts, err := RenderParts(samplePage("zh", tc.made))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := parts.Append(nil, tc.served); !errors.Is(err, ErrPartsMismatch) {
			t.Errorf("%s: %v, want ErrPartsMismatch", tc.name, err)
		}
	}
}
