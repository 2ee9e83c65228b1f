// Package tsa gets RFC 3161 timestamps from a timestamp authority: proof, signed by someone other than the
// agency, that a seal hash existed at a time. The token is kept as the authority sent it; its signature is
// checked by whoever relies on it (openssl ts -verify, docs/timeline.md), not here.
package tsa

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/asn1"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"time"
)

var (
	oidSHA256     = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 2, 1}
	oidSignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}
	oidTSTInfo    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 9, 16, 1, 4}
)

type algorithmIdentifier struct {
	Algorithm  asn1.ObjectIdentifier
	Parameters asn1.RawValue `asn1:"optional"`
}

type messageImprint struct {
	HashAlgorithm algorithmIdentifier
	HashedMessage []byte
}

// timeStampReq is RFC 3161's TimeStampReq, without policy and extensions.
type timeStampReq struct {
	Version        int
	MessageImprint messageImprint
	Nonce          *big.Int `asn1:"optional"`
	CertReq        bool     `asn1:"optional"`
}

type timeStampResp struct {
	Status asn1.RawValue
	Token  asn1.RawValue `asn1:"optional"`
}

type contentInfo struct {
	ContentType asn1.ObjectIdentifier
	Content     asn1.RawValue `asn1:"explicit,tag:0"`
}

type signedData struct {
	Version          int
	DigestAlgorithms asn1.RawValue
	EncapContentInfo struct {
		EContentType asn1.ObjectIdentifier
		EContent     []byte `asn1:"explicit,tag:0"`
	}
}

type tstInfo struct {
	Version        int
	Policy         asn1.ObjectIdentifier
	MessageImprint messageImprint
	SerialNumber   *big.Int
	GenTime        time.Time `asn1:"generalized"`
	Accuracy       accuracy  `asn1:"optional"`
	Ordering       bool      `asn1:"optional"`
	Nonce          *big.Int  `asn1:"optional"`
}

type accuracy struct {
	Seconds int `asn1:"optional"`
	Millis  int `asn1:"optional,tag:0"`
	Micros  int `asn1:"optional,tag:1"`
}

// Client asks one timestamp authority.
type Client struct {
	// URL is the authority's RFC 3161 HTTP endpoint (e.g. https://freetsa.org/tsr).
	URL  string
	HTTP *http.Client
}

// maxResponse bounds what is read from an authority: a token with its certificate chain is a few KB.
const maxResponse = 1 << 20

// Stamp asks the authority to timestamp a SHA-256 digest and returns the TimeStampToken (DER, a CMS
// SignedData over a TSTInfo) after checking that it is granted, that it stamps this digest with this request's
// nonce, and when.
func (c Client) Stamp(ctx context.Context, digest []byte) (token []byte, at time.Time, err error) {
	if len(digest) != 32 {
		return nil, time.Time{}, fmt.Errorf("tsa: a SHA-256 digest is 32 bytes, not %d", len(digest))
	}
	nonce, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
	if err != nil {
		return nil, time.Time{}, err
	}
	req, err := asn1.Marshal(timeStampReq{Version: 1, MessageImprint: messageImprint{
		HashAlgorithm: algorithmIdentifier{Algorithm: oidSHA256, Parameters: asn1.NullRawValue}, HashedMessage: digest},
		Nonce: nonce, CertReq: true})
	if err != nil {
		return nil, time.Time{}, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, c.URL, bytes.NewReader(req))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("tsa: %w", err)
	}
	hr.Header.Set("Content-Type", "application/timestamp-query")
	client := c.HTTP
	if client == nil {
		client = &http.Client{Timeout: 20 * time.Second}
	}
	resp, err := client.Do(hr)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("tsa: %s: %w", c.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("tsa: %s: %w", c.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, time.Time{}, fmt.Errorf("tsa: %s answered %s", c.URL, resp.Status)
	}
	token, info, err := parseResponse(body)
	if err != nil {
		return nil, time.Time{}, fmt.Errorf("tsa: %s: %w", c.URL, err)
	}
	if !info.MessageImprint.HashAlgorithm.Algorithm.Equal(oidSHA256) || !bytes.Equal(info.MessageImprint.HashedMessage, digest) {
		return nil, time.Time{}, fmt.Errorf("tsa: %s stamped another digest", c.URL)
	}
	if info.Nonce == nil || info.Nonce.Cmp(nonce) != 0 {
		return nil, time.Time{}, fmt.Errorf("tsa: %s answered another request (nonce)", c.URL)
	}
	return token, info.GenTime.UTC(), nil
}

// parseResponse reads a TimeStampResp: the status must be granted (0) or granted with mods (1).
func parseResponse(der []byte) ([]byte, tstInfo, error) {
	var resp timeStampResp
	if rest, err := asn1.Unmarshal(der, &resp); err != nil || len(rest) > 0 {
		return nil, tstInfo{}, fmt.Errorf("not a TimeStampResp: %v", err)
	}
	var status int
	if _, err := asn1.Unmarshal(resp.Status.Bytes, &status); err != nil {
		return nil, tstInfo{}, fmt.Errorf("bad PKIStatusInfo: %w", err)
	}
	if status != 0 && status != 1 {
		return nil, tstInfo{}, fmt.Errorf("the request was refused (PKIStatus %d)", status)
	}
	if len(resp.Token.FullBytes) == 0 {
		return nil, tstInfo{}, errors.New("granted without a token")
	}
	info, err := ParseToken(resp.Token.FullBytes)
	return resp.Token.FullBytes, info, err
}

// Info is what a token says: the digest it stamps and when.
type Info = tstInfo

// ParseToken reads the TSTInfo inside a TimeStampToken, without checking its signature.
func ParseToken(token []byte) (Info, error) {
	var ci contentInfo
	if _, err := asn1.Unmarshal(token, &ci); err != nil || !ci.ContentType.Equal(oidSignedData) {
		return tstInfo{}, fmt.Errorf("the token is not a CMS SignedData: %v", err)
	}
	var sd signedData
	if _, err := asn1.Unmarshal(ci.Content.Bytes, &sd); err != nil {
		return tstInfo{}, fmt.Errorf("bad SignedData: %w", err)
	}
	if !sd.EncapContentInfo.EContentType.Equal(oidTSTInfo) {
		return tstInfo{}, errors.New("the token does not carry a TSTInfo")
	}
	var info tstInfo
	if _, err := asn1.Unmarshal(sd.EncapContentInfo.EContent, &info); err != nil {
		return tstInfo{}, fmt.Errorf("bad TSTInfo: %w", err)
	}
	return info, nil
}
