package qr

import (
	"bytes"
	"image"
	_ "image/png"
	"testing"

	"github.com/makiuchi-d/gozxing"
	gzqr "github.com/makiuchi-d/gozxing/qrcode"
)

func decode(t *testing.T, png []byte) string {
	t.Helper()
	img, _, err := image.Decode(bytes.NewReader(png))
	if err != nil {
		t.Fatal(err)
	}
	bmp, err := gozxing.NewBinaryBitmapFromImage(img)
	if err != nil {
		t.Fatal(err)
	}
	res, err := gzqr.NewQRCodeReader().Decode(bmp, nil)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return res.GetText()
}

func TestPNGDecodesToContent(t *testing.T) {
	for _, url := range []string{
		"https://trace.example/01/06901234567892/10/LOT-2026-01/21/TIN000123",
		"https://qingchain.example/01/06901234567892/10/A%2FB%25C/21/%21%22%26",
	} {
		png, err := Encode(url, PNG, 256)
		if err != nil {
			t.Fatal(err)
		}
		if got := decode(t, png); got != url {
			t.Errorf("decoded %q, want %q", got, url)
		}
	}
}

func TestSVGIsWellFormed(t *testing.T) {
	s, err := Encode("https://trace.example/01/06901234567892", SVG, 0)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(s, []byte("<svg")) || !bytes.HasSuffix(s, []byte("</svg>")) || !bytes.Contains(s, []byte("M")) {
		t.Errorf("svg = %.80s...", s)
	}
}

func TestCache(t *testing.T) {
	c := NewCache(2)
	a1, _ := c.Get("a", PNG, 64)
	a2, _ := c.Get("a", PNG, 64)
	if &a1[0] != &a2[0] {
		t.Error("second Get was not served from the cache")
	}
	c.Get("b", PNG, 64)
	c.Get("c", PNG, 64)
	if c.order.Len() != 2 {
		t.Errorf("cache holds %d, max 2", c.order.Len())
	}
}

func BenchmarkQR(b *testing.B) {
	url := "https://trace.example/01/06901234567892/10/LOT-2026-01/21/TIN000123"
	b.Run("uncached", func(b *testing.B) {
		for b.Loop() {
			Encode(url, PNG, 256)
		}
	})
	b.Run("cached", func(b *testing.B) {
		c := NewCache(16)
		for b.Loop() {
			c.Get(url, PNG, 256)
		}
	})
}
