package ai

import (
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/hashicorp/golang-lru/v2/expirable"
)

// cache keeps remote answers by a hash of everything that went into the
// request (use case, model, prompts, schema), so identical inputs cost
// one call. It lives in memory, per process: an instance restarted or a
// second instance asks again, which costs little and needs no shared
// store (docs/DECISIONS.md). Answers are stored as the model's raw text
// and go through validation again when served, so a cache hit can never
// return something a fresh answer could not.
type cache struct {
	lru *expirable.LRU[string, string]
}

func newCache(size int, ttl time.Duration) *cache {
	if size == 0 {
		size = 10_000
	}
	if ttl <= 0 {
		ttl = time.Hour
	}
	return &cache{lru: expirable.NewLRU[string, string](size, nil, ttl)}
}

func cacheKey(uc UseCase, req Completion, schema []byte) string {
	h := sha256.New()
	for _, s := range []string{string(uc), req.Model, string(req.Mode), req.SchemaName, string(schema), req.System, req.User} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))
}

func (c *cache) get(key string) (string, bool) {
	if c == nil {
		return "", false
	}
	return c.lru.Get(key)
}

func (c *cache) put(key string, v string) {
	if c != nil {
		c.lru.Add(key, v)
	}
}
