// Random access to the media of a released pack, so that a terminal holds in memory only the
// images it is showing, whatever the pack's size.
//
// The payload is one secretstream (core/crypto/stream.hpp) over the archive (archive.hpp), and a
// secretstream can only be decrypted from its start: each chunk's state follows from the chunks
// before it. So Open makes one pass over the whole payload, in bounded memory, and remembers for
// every media entry where its bytes start (plaintext offset) and the stream's state before the
// chunk holding its first byte (52 bytes, kept in memory only and wiped when the reader goes). A
// Read then decrypts only the chunks that hold the entry, each authenticated again: an entry
// damaged on disk after the pass is refused, never returned altered.
//
// A pass that meets a damaged chunk stops there and keeps what it indexed: entries wholly before
// the damage stay readable, and every other Read returns the pass's error (kCorruption).
#pragma once

#include <sodium.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/crypto/secret.hpp"
#include "core/pack/byte_source.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::pack {

class MediaReader {
 public:
  // Indexes the media of the pack file `file` (a released pack on a terminal, or any pack whose
  // content key is known). kMalformed / kTooNew when the file is not a pack or its stream is of
  // another format, kWrongKey for a wrong key; damage after the first chunk is kept as the pass's
  // error (see above) and is no failure of Open. `cancelled` (optional) is asked between chunks:
  // true ends the pass with kInternal "cancelled" (a kiosk closing while it indexes). Reads disk
  // (the whole payload, once).
  [[nodiscard]] static Result<std::unique_ptr<MediaReader>> Open(
      const std::filesystem::path& file, const crypto::SecretBytes& content_key,
      const std::function<bool()>& cancelled = {});
  ~MediaReader();
  MediaReader(const MediaReader&) = delete;
  MediaReader& operator=(const MediaReader&) = delete;

  // The bytes of media entry `name` ("media/x.png"). kNotFound when the pack has no such entry;
  // kCorruption when its chunks no longer authenticate or the pass stopped before it; kMalformed
  // when it is larger than `max_bytes`. Safe to call from several threads at once. Reads disk.
  [[nodiscard]] Result<Bytes> Read(const std::string& name,
                                   std::uint64_t max_bytes = 16ull << 20) const;

  // Media entry `name` as a source read a chunk at a time (what the kiosk decodes images from:
  // it holds one chunk, never the file). The same failures as Read, the damage ones (kCorruption)
  // when the source reaches the damaged chunk; the reader must outlive the source, which one
  // thread at a time may use (several sources may be read at once). Reads disk as it is read.
  [[nodiscard]] Result<std::unique_ptr<ByteSource>> Stream(const std::string& name,
                                                           std::uint64_t max_bytes = 16ull
                                                                                     << 20) const;

  // The media entries indexed, by name.
  std::vector<std::string> Names() const;
  // The error that stopped the pass, if it did not reach the stream's end.
  const std::optional<Error>& pass_error() const { return pass_error_; }

 private:
  struct Entry {
    std::uint64_t offset = 0;  // plaintext offset of the first byte
    std::uint64_t size = 0;
    std::size_t state = 0;  // index into states_: before chunk offset / chunk_size_
  };
  MediaReader() = default;
  class EntrySource;

  std::filesystem::path file_;
  int fd_ = -1;
  std::optional<crypto::SecretBytes> key_;
  std::uint64_t payload_offset_ = 0;
  std::uint32_t chunk_size_ = 0;
  std::uint8_t preamble_[13] = {};
  std::map<std::string, Entry> entries_;
  std::vector<crypto_secretstream_xchacha20poly1305_state> states_;
  std::optional<Error> pass_error_;
};

}  // namespace lontar::pack
