// Package qr draws the QR codes printed on packs: PNG and SVG images of a
// GS1 Digital Link URL, cached because the same few thousand codes are asked
// for again and again.
package qr

import (
	"container/list"
	"fmt"
	"strings"
	"sync"

	qrcode "github.com/skip2/go-qrcode"
)

// Format is an image format.
type Format string

// Supported formats.
const (
	PNG Format = "png"
	SVG Format = "svg"
)

// ContentType is the media type of a format.
func (f Format) ContentType() string {
	if f == SVG {
		return "image/svg+xml"
	}
	return "image/png"
}

// Encode draws content as a QR code with error-correction level M (15%), the
// level GS1 recommends for Digital Link on consumer packs.
func Encode(content string, f Format, sizePx int) ([]byte, error) {
	q, err := qrcode.New(content, qrcode.Medium)
	if err != nil {
		return nil, fmt.Errorf("qr: %w", err)
	}
	switch f {
	case PNG:
		return q.PNG(sizePx)
	case SVG:
		return svg(q.Bitmap()), nil
	}
	return nil, fmt.Errorf("qr: unknown format %q", f)
}

// svg renders the module bitmap (quiet zone included) as one path of unit
// squares, scaled by the viewer.
func svg(bits [][]bool) []byte {
	n := len(bits)
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" shape-rendering="crispEdges"><rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n, n, n)
	for y, row := range bits {
		for x := 0; x < len(row); x++ {
			if !row[x] {
				continue
			}
			run := 1
			for x+run < len(row) && row[x+run] {
				run++
			}
			fmt.Fprintf(&b, "M%d %dh%dv1h-%dz", x, y, run, run)
			x += run - 1
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String())
}

// Cache is a bounded LRU of rendered images.
type Cache struct {
	mu    sync.Mutex
	max   int
	order *list.List
	items map[string]*list.Element
}

type entry struct {
	key string
	img []byte
}

// NewCache holds up to max images.
func NewCache(max int) *Cache {
	return &Cache{max: max, order: list.New(), items: map[string]*list.Element{}}
}

// Get returns the cached image of content in format f, drawing it on a miss.
func (c *Cache) Get(content string, f Format, sizePx int) ([]byte, error) {
	k := fmt.Sprintf("%s|%d|%s", f, sizePx, content)
	c.mu.Lock()
	if el, ok := c.items[k]; ok {
		c.order.MoveToFront(el)
		img := el.Value.(*entry).img
		c.mu.Unlock()
		return img, nil
	}
	c.mu.Unlock()
	img, err := Encode(content, f, sizePx)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if _, ok := c.items[k]; !ok {
		c.items[k] = c.order.PushFront(&entry{key: k, img: img})
		for c.order.Len() > c.max {
			last := c.order.Back()
			c.order.Remove(last)
			delete(c.items, last.Value.(*entry).key)
		}
	}
	return img, nil
}
