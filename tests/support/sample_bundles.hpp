// Result bundles for tests that need some in a terminal's outbox, written the way the engine
// writes them (in-process, through core/bundle), with made-up answers.
#pragma once

#include <cstdint>
#include <string>

#include "core/bundle/bundle_format.hpp"
#include "core/bundle/receipt.hpp"
#include "core/crypto/box.hpp"
#include "core/terminal/terminal.hpp"
#include "core/util/bytes.hpp"
#include "core/util/error.hpp"

namespace lontar::testing {

// A submitted bundle's inputs for `terminal` at its journal head, numbered `seq`: exam `exam_id`,
// pack 0123456789abcdef0123456789abcdef version 1, participant "P-00<seq>", created at
// 1'795'500'000'000 ms, one answer (tiu-01: A). Change any field before writing it.
bundle::BundleInputs SampleBundleInputs(terminal::Terminal& terminal, const std::string& exam_id,
                                        std::uint64_t seq);

// Writes the bundle sealed to `results`, signed by the terminal, and adds it to its outbox;
// returns its bytes. Errors are WriteBundle's and AddToOutbox's. Touches disk.
[[nodiscard]] Result<Bytes> AddSampleBundle(terminal::Terminal& terminal,
                                            const bundle::BundleInputs& inputs,
                                            const crypto::BoxPublicKey& results);

// A receipt, not yet signed, for bundle id 00 01 02 ... 1f from terminal T-0123456789ABCDEF,
// seq 7, stored at `stored_ms` by the server whose key is `key`.
bundle::Receipt SampleReceipt(const crypto::SigningKey& key, std::int64_t stored_ms);

}  // namespace lontar::testing
