#include "provision/receipt_page.hpp"

#include "core/pack/pack_format.hpp"
#include "core/util/markup_escape.hpp"

namespace lontar::cli {

std::string ReceiptHtml(const ReceiptLookup& l) {
  std::string h =
      "<!DOCTYPE html>\n<html lang=\"id\"><head><meta charset=\"utf-8\">"
      "<meta name=\"viewport\" content=\"width=device-width\">"
      "<title>Cek kode tanda terima / Check a receipt code</title><style>"
      "body{font-family:sans-serif;margin:1.5em;max-width:40em}.yes{background:#dfd}"
      ".no{background:#fdd}.wait{background:#ffd}p.answer{padding:.6em}"
      "[lang=en]{color:#444}</style></head><body>\n"
      "<h1>Cek kode tanda terima <small lang=\"en\">/ Check a receipt code</small></h1>\n"
      "<form method=\"get\" action=\"/receipt\"><label>Kode / Code: <input name=\"code\" "
      "value=\"" +
      MarkupEscape(l.code) +
      "\" autocomplete=\"off\"></label> <button>Cek / Check</button></form>\n";
  if (l.code.empty()) return h + "</body></html>\n";
  if (!l.found) {
    h += "<p class=\"answer no\" id=\"answer\">Hasil dengan kode <b>" + MarkupEscape(l.code) +
         "</b> belum diterima di server ini.<br><span lang=\"en\">No result with code <b>" +
         MarkupEscape(l.code) + "</b> has reached this server.</span><br><small>" +
         MarkupEscape(l.error) + "</small></p>\n";
    return h + "</body></html>\n";
  }
  const std::string when = MarkupEscape(pack::FormatTime(l.stored_ms));
  const std::string where = l.is_relay ? "relay lokasi" : "server pengumpul";
  const std::string where_en = l.is_relay ? "the site relay" : "the collection server";
  h += "<p class=\"answer yes\" id=\"answer\">Hasil dengan kode <b>" + MarkupEscape(l.code) +
       "</b> sudah diterima oleh " + where + " (kunci " + MarkupEscape(l.server_key_id) +
       ") pada " + when + " UTC.<br><span lang=\"en\">The result with code <b>" +
       MarkupEscape(l.code) + "</b> arrived at " + where_en + " (key " +
       MarkupEscape(l.server_key_id) + ") on " + when + " UTC.</span></p>\n";
  if (l.is_relay) {
    if (l.confirmed_ms) {
      const std::string confirmed = MarkupEscape(pack::FormatTime(*l.confirmed_ms));
      h += "<p class=\"answer yes\" id=\"central\">Server pusat sudah mengonfirmasi pada " +
           confirmed + " UTC.<br><span lang=\"en\">The central collection server confirmed it on " +
           confirmed + " UTC.</span></p>\n";
    } else {
      h += "<p class=\"answer wait\" id=\"central\">Server pusat belum mengonfirmasi; relay ini "
           "menyimpannya dan akan meneruskannya.<br><span lang=\"en\">The central collection "
           "server has not confirmed it yet; this relay holds it and will forward it.</span></p>\n";
    }
  }
  return h + "</body></html>\n";
}

}  // namespace lontar::cli
