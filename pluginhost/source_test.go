package pluginhost

import (
	"archive/tar"
	"archive/zip"
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/hogpipe/hogpipe/internal/testutil"
	"github.com/hogpipe/hogpipe/state"
)

// archiveEntry is one member of a test archive: a file, a directory (dir)
// or a symlink (link).
type archiveEntry struct {
	name, body, link string
	dir              bool
}

func makeTarGz(t *testing.T, entries ...archiveEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, e := range entries {
		hdr := &tar.Header{Name: e.name, Mode: 0o644, Size: int64(len(e.body)), Typeflag: tar.TypeReg}
		switch {
		case e.dir:
			hdr.Typeflag, hdr.Mode, hdr.Size = tar.TypeDir, 0o755, 0
		case e.link != "":
			hdr.Typeflag, hdr.Linkname, hdr.Size = tar.TypeSymlink, e.link, 0
		}
		require.NoError(t, tw.WriteHeader(hdr))
		if hdr.Typeflag == tar.TypeReg {
			_, err := tw.Write([]byte(e.body))
			require.NoError(t, err)
		}
	}
	require.NoError(t, tw.Close())
	require.NoError(t, gz.Close())
	return buf.Bytes()
}

func makeZip(t *testing.T, entries ...archiveEntry) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		hdr := &zip.FileHeader{Name: e.name, Method: zip.Deflate}
		switch {
		case e.dir:
			hdr.SetMode(os.ModeDir | 0o755)
		case e.link != "":
			hdr.SetMode(os.ModeSymlink | 0o777)
			e.body = e.link
		default:
			hdr.SetMode(0o644)
		}
		w, err := zw.CreateHeader(hdr)
		require.NoError(t, err)
		_, err = w.Write([]byte(e.body))
		require.NoError(t, err)
	}
	require.NoError(t, zw.Close())
	return buf.Bytes()
}

// sourcePlugin is a small plugin whose plugin.json "main" must win over
// package.json's: the two entry files answer differently.
func sourcePlugin(top string) []archiveEntry {
	return []archiveEntry{
		{name: top, dir: true},
		{name: top + "package.json", body: `{"name":"source-test","version":"1.0.0","main":"dist/index.js"}`},
		{name: top + "plugin.json", body: `{"name":"source-test","main":"src/index.ts","config":[{"key":"greeting","default":"hi"}]}`},
		{name: top + "dist/index.js", body: `exports.processEvent = (e) => { e.properties.entry = "package.json main"; return e }`},
		{name: top + "src/index.ts", body: `import { suffix } from "./lib"
export function processEvent(event: any, { config }: any) {
  event.properties.entry = "plugin.json main"
  event.properties.greeting = config.greeting + suffix
  return event
}`},
		{name: top + "src/lib.ts", body: `export const suffix: string = "!"`},
	}
}

// useTempCache points os.UserCacheDir at a fresh folder for this test.
func useTempCache(t *testing.T) string {
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", dir)
	t.Setenv("HOME", dir) // macOS: UserCacheDir is $HOME/Library/Caches
	return dir
}

func runSourcePlugin(t *testing.T, path string) string {
	t.Helper()
	mem := state.NewMemory()
	t.Cleanup(func() { _ = mem.Close() })
	p, err := Load(Options{Path: path, Logger: &testutil.Logger{T: t}, VMs: 1, Cache: mem.Cache(), Storage: mem.Storage()})
	require.NoError(t, err)
	pool, err := p.Start(t.Context())
	require.NoError(t, err)
	defer func() {
		require.NoError(t, pool.Close(t.Context()))
		require.NoError(t, p.Close())
	}()
	res, err := pool.ProcessEvents(t.Context(), [][]byte{[]byte(`{"event":"e","properties":{}}`)})
	require.NoError(t, err)
	require.NoError(t, res[0].Err)
	return string(res[0].Event)
}

func TestSourceFolderIsUsedAsIs(t *testing.T) {
	useTempCache(t)
	dir, err := ResolveSource("../testdata/plugins/hello-world")
	require.NoError(t, err)
	abs, _ := filepath.Abs("../testdata/plugins/hello-world")
	assert.Equal(t, abs, dir)

	missing, err := ResolveSource("../testdata/plugins/does-not-exist")
	require.NoError(t, err, "a missing folder is left to LoadManifest's message")
	assert.True(t, filepath.IsAbs(missing))
}

func TestSourceNpmTarball(t *testing.T) {
	cache := useTempCache(t)
	tgz := filepath.Join(t.TempDir(), "source-test-1.0.0.tgz")
	require.NoError(t, os.WriteFile(tgz, makeTarGz(t, sourcePlugin("package/")...), 0o644))

	out := runSourcePlugin(t, tgz)
	assert.Equal(t, `{"event":"e","properties":{"entry":"plugin.json main","greeting":"hi!"}}`, out)

	dir, err := ResolveSource(tgz)
	require.NoError(t, err)
	assert.FileExists(t, filepath.Join(dir, "plugin.json"), "the package/ folder is stripped")
	assert.True(t, strings.HasPrefix(dir, filepath.Join(cache, "hogpipe", "plugins")+string(filepath.Separator)))

	again, err := ResolveSource(tgz)
	require.NoError(t, err)
	assert.Equal(t, dir, again, "extracted once, keyed by content")

	// A repacked tarball is a new key.
	entries := append(sourcePlugin("package/"), archiveEntry{name: "package/README.md", body: "changed"})
	require.NoError(t, os.WriteFile(tgz, makeTarGz(t, entries...), 0o644))
	changed, err := ResolveSource(tgz)
	require.NoError(t, err)
	assert.NotEqual(t, dir, changed)
}

func TestSourceArchiveWithoutTopFolder(t *testing.T) {
	useTempCache(t)
	var flat []archiveEntry
	for _, e := range sourcePlugin("") {
		if e.name != "" {
			flat = append(flat, e)
		}
	}
	path := filepath.Join(t.TempDir(), "plugin.zip")
	require.NoError(t, os.WriteFile(path, makeZip(t, flat...), 0o644))
	out := runSourcePlugin(t, path)
	assert.Contains(t, out, `"entry":"plugin.json main"`)
}

func TestSourceURLDownloadedOnce(t *testing.T) {
	useTempCache(t)
	zipBody := makeZip(t, sourcePlugin("posthog-plugin-source-main/")...)
	tgzBody := makeTarGz(t, sourcePlugin("package/")...)
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch r.URL.Path {
		case "/archive/refs/heads/main.zip":
			_, _ = w.Write(zipBody)
		case "/source-test-1.0.0.tgz":
			w.Header().Set("Content-Type", "application/octet-stream")
			_, _ = w.Write(tgzBody)
		case "/not-an-archive.zip":
			_, _ = w.Write([]byte("<html>login page</html>"))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(srv.Close)

	for _, path := range []string{"/archive/refs/heads/main.zip", "/source-test-1.0.0.tgz"} {
		t.Run(path, func(t *testing.T) {
			hits.Store(0)
			url := srv.URL + path
			out := runSourcePlugin(t, url)
			assert.Equal(t, `{"event":"e","properties":{"entry":"plugin.json main","greeting":"hi!"}}`, out)
			dir, err := ResolveSource(url)
			require.NoError(t, err)
			assert.FileExists(t, filepath.Join(dir, "plugin.json"))
			runSourcePlugin(t, url)
			assert.EqualValues(t, 1, hits.Load(), "downloaded once, then served from the cache")
		})
	}

	t.Run("HTTP error", func(t *testing.T) {
		_, err := ResolveSource(srv.URL + "/missing.tgz")
		assert.ErrorContains(t, err, "HTTP 404")
	})
	t.Run("not an archive", func(t *testing.T) {
		_, err := ResolveSource(srv.URL + "/not-an-archive.zip")
		assert.ErrorContains(t, err, "not a folder, a gzip'd tarball (.tgz) or a .zip archive")
	})
	t.Run("credentials stay out of errors", func(t *testing.T) {
		u := strings.Replace(srv.URL, "http://", "http://user:s3cret@", 1) + "/missing.tgz?token=abc"
		_, err := ResolveSource(u)
		require.Error(t, err)
		assert.NotContains(t, err.Error(), "s3cret")
		assert.NotContains(t, err.Error(), "abc")
	})
	t.Run("too large", func(t *testing.T) {
		_, err := resolveSource(t.Context(), srv.URL+"/source-test-1.0.0.tgz?big", sourceLimits{download: 100, unpacked: 1 << 20, entries: 100})
		assert.ErrorContains(t, err, "larger than 100 bytes")
	})
}

func TestSourceExtractionIsSafe(t *testing.T) {
	useTempCache(t)
	limits := sourceLimits{download: 1 << 20, unpacked: 1 << 20, entries: 100}
	write := func(t *testing.T, name string, data []byte) string {
		path := filepath.Join(t.TempDir(), name)
		require.NoError(t, os.WriteFile(path, data, 0o644))
		return path
	}
	outside := filepath.Join(t.TempDir(), "outside")
	cases := []struct {
		name    string
		archive func(t *testing.T) []byte
		ext     string
		wantErr string
	}{
		{"tar parent escape", func(t *testing.T) []byte {
			return makeTarGz(t, archiveEntry{name: "package/../../evil.js", body: "x"})
		}, "tgz", "leaves the plugin folder"},
		{"tar absolute", func(t *testing.T) []byte {
			return makeTarGz(t, archiveEntry{name: "/tmp/evil.js", body: "x"})
		}, "tgz", "absolute path"},
		{"zip parent escape", func(t *testing.T) []byte {
			return makeZip(t, archiveEntry{name: "../evil.js", body: "x"})
		}, "zip", "leaves the plugin folder"},
		{"zip backslash escape", func(t *testing.T) []byte {
			return makeZip(t, archiveEntry{name: `a\..\..\evil.js`, body: "x"})
		}, "zip", "leaves the plugin folder"},
		{"unpacked size", func(t *testing.T) []byte {
			return makeTarGz(t, archiveEntry{name: "package/big.bin", body: strings.Repeat("0", 2<<20)})
		}, "tgz", "unpacks to more than"},
		{"zip unpacked size", func(t *testing.T) []byte {
			return makeZip(t, archiveEntry{name: "big.bin", body: strings.Repeat("0", 2<<20)})
		}, "zip", "unpacks to more than"},
		{"entry count", func(t *testing.T) []byte {
			var many []archiveEntry
			for i := range 101 {
				many = append(many, archiveEntry{name: "package/f" + strings.Repeat("x", i), body: "x"})
			}
			return makeTarGz(t, many...)
		}, "tgz", "more than 100 entries"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := write(t, "plugin."+c.ext, c.archive(t))
			_, err := resolveSource(t.Context(), path, limits)
			assert.ErrorContains(t, err, c.wantErr)
		})
	}

	t.Run("links are skipped", func(t *testing.T) {
		for _, archive := range [][]byte{
			makeTarGz(t, append(sourcePlugin("package/"),
				archiveEntry{name: "package/escape", link: outside},
				archiveEntry{name: "package/up", link: "../../.."})...),
			makeZip(t, append(sourcePlugin("package/"), archiveEntry{name: "package/escape", link: outside})...),
		} {
			dir, err := resolveSource(t.Context(), write(t, "plugin.archive", archive), limits)
			require.NoError(t, err)
			assert.FileExists(t, filepath.Join(dir, "plugin.json"))
			_, err = os.Lstat(filepath.Join(dir, "escape"))
			assert.ErrorIs(t, err, os.ErrNotExist)
			_, err = os.Lstat(filepath.Join(dir, "up"))
			assert.ErrorIs(t, err, os.ErrNotExist)
		}
	})

	t.Run("a plain file is refused", func(t *testing.T) {
		_, err := ResolveSource("../testdata/plugins/hello-world/index.js")
		assert.ErrorContains(t, err, "not a folder, a gzip'd tarball (.tgz) or a .zip archive")
	})
}
