package pluginhost

import (
	"archive/tar"
	"archive/zip"
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"
)

// Plugin sources: besides a folder, a plugin path may name an npm package
// tarball (what `npm pack` writes), a .zip, or an http(s) URL of a .tgz or
// .zip repository archive. Archives are extracted once into the user's cache
// folder (<os.UserCacheDir>/hogpipe/plugins/<key>), keyed by the sha256 of a
// local archive's bytes or of a URL, so a URL is downloaded only once: delete
// the folder to fetch it again. A single top folder (npm's "package/",
// GitHub's "<repo>-<ref>/") is stripped, so plugin.json is expected at the
// archive's root.
//
// Extraction is defensive: entries must stay inside the destination (no
// absolute paths, no ".."), links and device files are skipped, and the
// download, the unpacked total and the number of entries are bounded.

// sourceLimits bound what one archive may download and unpack.
type sourceLimits struct {
	download int64 // bytes of the archive fetched from a URL
	unpacked int64 // bytes of every file extracted, added up
	entries  int   // files and folders in the archive
}

// defaultSourceLimits allow large plugins with vendored node_modules while
// refusing archive bombs. Tests lower them.
var defaultSourceLimits = sourceLimits{download: 100 << 20, unpacked: 512 << 20, entries: 50_000}

// sourceHTTPClient downloads archives; some hosts generate a repository
// archive on the fly, so the time limit is generous.
var sourceHTTPClient = &http.Client{Timeout: 5 * time.Minute}

// ResolveSource returns the absolute folder holding the plugin named by
// path: path itself when it is a folder, else the folder an archive (local
// file or http(s) URL) was extracted to.
func ResolveSource(path string) (string, error) {
	return resolveSource(context.Background(), path, defaultSourceLimits)
}

func resolveSource(ctx context.Context, p string, limits sourceLimits) (string, error) {
	if isSourceURL(p) {
		return resolveURLSource(ctx, p, limits)
	}
	abs, err := filepath.Abs(p)
	if err != nil {
		return "", fmt.Errorf("plugin path %q: %w", p, err)
	}
	info, err := os.Stat(abs)
	if err != nil || info.IsDir() {
		// A missing folder is reported by LoadManifest, with its usual message.
		return abs, nil
	}
	sum, err := sourceFileSHA256(abs)
	if err != nil {
		return "", fmt.Errorf("plugin archive %s: %w", abs, err)
	}
	dest, err := sourceCacheDir("file-" + sum)
	if err != nil {
		return "", err
	}
	if sourceExists(dest) {
		return dest, nil
	}
	if err := extractSourceArchive(abs, dest, limits); err != nil {
		return "", fmt.Errorf("plugin archive %s: %w", abs, err)
	}
	return dest, nil
}

func isSourceURL(p string) bool {
	lower := strings.ToLower(p)
	return strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://")
}

func resolveURLSource(ctx context.Context, rawURL string, limits sourceLimits) (string, error) {
	sum := sha256.Sum256([]byte(rawURL))
	dest, err := sourceCacheDir("url-" + hex.EncodeToString(sum[:]))
	if err != nil {
		return "", err
	}
	if sourceExists(dest) {
		return dest, nil
	}
	shown := sourceRedactURL(rawURL)
	tmp, err := os.CreateTemp(filepath.Dir(dest), ".download-*")
	if err != nil {
		return "", fmt.Errorf("plugin archive %s: %w", shown, err)
	}
	defer func() {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
	}()
	if err := sourceDownload(ctx, rawURL, tmp, limits.download); err != nil {
		return "", fmt.Errorf("plugin archive %s: %w", shown, err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("plugin archive %s: %w", shown, err)
	}
	if err := extractSourceArchive(tmp.Name(), dest, limits); err != nil {
		return "", fmt.Errorf("plugin archive %s: %w", shown, err)
	}
	return dest, nil
}

func sourceDownload(ctx context.Context, rawURL string, w io.Writer, limit int64) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, rawURL, nil)
	if err != nil {
		return err
	}
	req.Header.Set("User-Agent", "hogpipe")
	resp, err := sourceHTTPClient.Do(req)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // its message repeats the URL, credentials included
		}
		return fmt.Errorf("download: %w", err)
	}
	defer func() { _ = resp.Body.Close() }()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("download: HTTP %s", resp.Status)
	}
	n, err := io.Copy(w, io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return fmt.Errorf("download: %w", err)
	}
	if n > limit {
		return fmt.Errorf("download: larger than %d bytes", limit)
	}
	return nil
}

// sourceRedactURL hides credentials a URL may carry (user:password@, tokens
// in the query) from error messages.
func sourceRedactURL(rawURL string) string {
	if i := strings.IndexAny(rawURL, "?#"); i >= 0 {
		rawURL = rawURL[:i]
	}
	scheme, rest, _ := strings.Cut(rawURL, "://")
	host, tail, _ := strings.Cut(rest, "/")
	if at := strings.LastIndexByte(host, '@'); at >= 0 {
		host = "***@" + host[at+1:]
	}
	return scheme + "://" + host + "/" + tail
}

// sourceCacheDir is the cache folder for one archive; its parent exists on return.
func sourceCacheDir(key string) (string, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		base = filepath.Join(os.TempDir(), "hogpipe-cache")
	}
	dir := filepath.Join(base, "hogpipe", "plugins")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("plugin cache folder: %w", err)
	}
	return filepath.Join(dir, key), nil
}

func sourceExists(dir string) bool {
	info, err := os.Stat(dir)
	return err == nil && info.IsDir()
}

func sourceFileSHA256(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer func() { _ = f.Close() }()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", err
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// extractSourceArchive unpacks the archive at src (gzip'd tar or zip, told
// apart by their magic bytes) into dest, which must not exist yet. It
// extracts into a temporary sibling and renames it into place, so dest is
// either absent or complete, also when two processes race.
func extractSourceArchive(src, dest string, limits sourceLimits) error {
	tmp, err := os.MkdirTemp(filepath.Dir(dest), ".extract-*")
	if err != nil {
		return err
	}
	defer func() { _ = os.RemoveAll(tmp) }()
	raw := filepath.Join(tmp, "root")
	if err := os.Mkdir(raw, 0o755); err != nil {
		return err
	}

	f, err := os.Open(src)
	if err != nil {
		return err
	}
	defer func() { _ = f.Close() }()
	magic := make([]byte, 4)
	n, _ := io.ReadFull(f, magic)
	magic = magic[:n]
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		return err
	}
	x := &sourceExtractor{root: raw, limits: limits}
	switch {
	case bytes.HasPrefix(magic, []byte{0x1f, 0x8b}):
		err = x.tarGz(f)
	case bytes.HasPrefix(magic, []byte("PK\x03\x04")), bytes.HasPrefix(magic, []byte("PK\x05\x06")):
		info, statErr := f.Stat()
		if statErr != nil {
			return statErr
		}
		err = x.zip(f, info.Size())
	default:
		return errors.New("not a folder, a gzip'd tarball (.tgz) or a .zip archive")
	}
	if err != nil {
		return err
	}

	root, err := sourceStripTop(raw)
	if err != nil {
		return err
	}
	if err := os.Rename(root, dest); err != nil {
		if sourceExists(dest) {
			return nil // extracted concurrently by someone else
		}
		return err
	}
	return nil
}

// sourceStripTop returns the folder to use as the plugin root: the
// archive's top folder when it is the only entry at the top, else the
// extraction root itself.
func sourceStripTop(raw string) (string, error) {
	entries, err := os.ReadDir(raw)
	if err != nil {
		return "", err
	}
	if len(entries) == 1 && entries[0].IsDir() {
		return filepath.Join(raw, entries[0].Name()), nil
	}
	return raw, nil
}

type sourceExtractor struct {
	root     string
	limits   sourceLimits
	entries  int
	unpacked int64
}

func (x *sourceExtractor) tarGz(r io.Reader) error {
	gz, err := gzip.NewReader(bufio.NewReader(r))
	if err != nil {
		return fmt.Errorf("gzip: %w", err)
	}
	defer func() { _ = gz.Close() }()
	tr := tar.NewReader(gz)
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			return nil
		}
		if err != nil {
			return fmt.Errorf("tar: %w", err)
		}
		switch hdr.Typeflag {
		case tar.TypeDir:
			if err := x.dir(hdr.Name); err != nil {
				return err
			}
		case tar.TypeReg: // the reader reports old tarballs' TypeRegA as TypeReg
			if err := x.file(hdr.Name, tr); err != nil {
				return err
			}
		default:
			// Links, devices, FIFOs and global headers are never needed
			// to run a plugin; links could point outside the folder.
			if _, err := x.name(hdr.Name); err != nil {
				return err
			}
		}
	}
}

func (x *sourceExtractor) zip(r io.ReaderAt, size int64) error {
	zr, err := zip.NewReader(r, size)
	if err != nil {
		return fmt.Errorf("zip: %w", err)
	}
	for _, f := range zr.File {
		mode := f.Mode()
		switch {
		case mode.IsDir():
			if err := x.dir(f.Name); err != nil {
				return err
			}
		case mode.IsRegular():
			rc, err := f.Open()
			if err != nil {
				return fmt.Errorf("zip: %s: %w", f.Name, err)
			}
			err = x.file(f.Name, rc)
			_ = rc.Close()
			if err != nil {
				return err
			}
		default:
			if _, err := x.name(f.Name); err != nil {
				return err
			}
		}
	}
	return nil
}

// name checks one entry's name and counts it; it returns the local path.
func (x *sourceExtractor) name(name string) (string, error) {
	x.entries++
	if x.entries > x.limits.entries {
		return "", fmt.Errorf("more than %d entries", x.limits.entries)
	}
	clean := strings.ReplaceAll(name, `\`, "/")
	if strings.HasPrefix(clean, "/") {
		return "", fmt.Errorf("unsafe entry %q: absolute path", name)
	}
	clean = path.Clean(clean)
	if clean == "." {
		return "", nil
	}
	local := filepath.FromSlash(clean)
	if !filepath.IsLocal(local) {
		return "", fmt.Errorf("unsafe entry %q: it leaves the plugin folder", name)
	}
	return filepath.Join(x.root, local), nil
}

func (x *sourceExtractor) dir(name string) error {
	target, err := x.name(name)
	if err != nil || target == "" {
		return err
	}
	return os.MkdirAll(target, 0o755)
}

func (x *sourceExtractor) file(name string, r io.Reader) error {
	target, err := x.name(name)
	if err != nil {
		return err
	}
	if target == "" {
		return fmt.Errorf("unsafe entry %q: a file without a name", name)
	}
	if err := os.MkdirAll(filepath.Dir(target), 0o755); err != nil {
		return err
	}
	// No link is ever created, so no parent of target can lead outside root;
	// an existing entry of the same name (tar allows repeats) is replaced.
	out, err := os.OpenFile(target, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("entry %q: %w", name, err)
	}
	left := x.limits.unpacked - x.unpacked
	n, err := io.Copy(out, io.LimitReader(r, left+1))
	x.unpacked += n
	if closeErr := out.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return fmt.Errorf("entry %q: %w", name, err)
	}
	if x.unpacked > x.limits.unpacked {
		return fmt.Errorf("unpacks to more than %d bytes", x.limits.unpacked)
	}
	return nil
}
