// Benchmark: the kiosk against Debian's chromium showing an equivalent HTML page of one item,
// both full screen in the same Xvfb. For each: time from start to first frame, memory once the
// item is up (RSS and PSS, summed over all of chromium's processes), and CPU over an idle
// stretch (the item on screen, its clock ticking every second), with the X server's CPU in the
// same stretch; then chromium's figures as multiples of the kiosk's.
//
// First frame: the harness starts Xvfb with a black root (-br) and, from the moment before it
// starts the program, reads the whole screen with XGetImage every 10 ms; the first frame is the
// first read that shows 16 or more distinct colours (anti-aliased text; a blank or single-colour
// window is not a frame). The time is taken when that read was requested, so it is late by at
// most one polling interval (10 ms plus the read itself). The same definition serves both.
//
// Usage: lontar_kiosk_chromium [--seconds 60] [--screen 1920x1080] [--json FILE] [--smoke]
// --smoke: 3 idle seconds, for ctest (label bench). Figures are reported, never asserted; the
// exit code is 1 only when a measurement could not be taken, 77 (skipped) without chromium.
#include <X11/Xlib.h>
#include <X11/Xutil.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <unordered_set>
#include <vector>

#include "tests/support/pack_build.hpp"
#include "tests/support/test_support.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using lontar::testing::RunLontar;
using lontar::testing::TempDir;
namespace fs = std::filesystem;

const fs::path kDemo = fs::path(LONTAR_SOURCE_DIR) / "assets/demo";
constexpr char kChromium[] = "/usr/bin/chromium";

struct Figures {
  double first_frame_ms = -1;
  long rss_kb = -1;  // summed over the program's processes
  long pss_kb = -1;  // proportional: shared pages split between the processes that map them
  int processes = 0;
  double cpu_percent = -1;   // of one core, over the idle stretch, all the program's processes
  double xvfb_percent = -1;  // the X server's CPU over the same stretch
};

// Forks and execs `argv` with `env` added; the child's stdout and stderr go to `log`.
pid_t Spawn(const std::vector<std::string>& argv, const std::vector<std::string>& env,
            const fs::path& log, int keep_fd = -1) {
  const pid_t pid = fork();
  if (pid != 0) return pid;
  for (const std::string& e : env) putenv(strdup(e.c_str()));
  if (FILE* f = std::fopen(log.c_str(), "w")) {
    dup2(fileno(f), 1);
    dup2(fileno(f), 2);
  }
  (void)keep_fd;
  std::vector<char*> args;
  for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  execv(args[0], args.data());
  _exit(127);
}

// Xvfb on a free display number, which it writes to the pipe (-displayfd).
std::optional<std::pair<pid_t, std::string>> StartXvfb(const std::string& screen,
                                                       const fs::path& log) {
  int fds[2];
  if (pipe(fds) != 0) return std::nullopt;
  const pid_t pid = Spawn({"/usr/bin/Xvfb", "-displayfd", std::to_string(fds[1]), "-screen", "0",
                           screen + "x24", "-br", "-nolisten", "tcp"},
                          {}, log, fds[1]);
  close(fds[1]);
  std::string number;
  char c = 0;
  while (read(fds[0], &c, 1) == 1 && c != '\n') number += c;
  close(fds[0]);
  if (number.empty()) return std::nullopt;
  return std::make_pair(pid, ":" + number);
}

// Whether the screen shows a rendered frame: 16 or more distinct colours in a grid sample.
bool ShowsFrame(Display* dpy, int width, int height) {
  XImage* img = XGetImage(dpy, DefaultRootWindow(dpy), 0, 0, static_cast<unsigned>(width),
                          static_cast<unsigned>(height), AllPlanes, ZPixmap);
  if (img == nullptr) return false;
  std::unordered_set<unsigned long> colours;
  for (int y = 0; y < height && colours.size() < 16; y += 3) {
    for (int x = 0; x < width && colours.size() < 16; x += 3) colours.insert(XGetPixel(img, x, y));
  }
  XDestroyImage(img);
  return colours.size() >= 16;
}

// Milliseconds from `start` to the first poll that shows a frame; -1 after `timeout`.
double WaitFirstFrame(Display* dpy, int w, int h, Clock::time_point start,
                      std::chrono::seconds timeout) {
  while (Clock::now() - start < timeout) {
    const Clock::time_point asked = Clock::now();
    if (ShowsFrame(dpy, w, h)) {
      return std::chrono::duration<double, std::milli>(asked - start).count();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return -1;
}

std::string ReadFile(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// `pid` and every process descended from it.
std::vector<pid_t> Tree(pid_t root) {
  std::map<pid_t, pid_t> parent;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/proc", ec)) {
    const std::string name = e.path().filename();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    const std::string stat = ReadFile(e.path() / "stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    char state = 0;
    pid_t ppid = 0;
    rest >> state >> ppid;
    parent[std::stoi(name)] = ppid;
  }
  std::vector<pid_t> tree = {root};
  for (std::size_t i = 0; i < tree.size(); ++i) {
    for (const auto& [pid, pp] : parent) {
      if (pp == tree[i]) tree.push_back(pid);
    }
  }
  return tree;
}

// A "Name:   123 kB" field of a /proc file.
long Field(const std::string& text, const std::string& name) {
  const auto at = text.find("\n" + name + ":");
  if (at == std::string::npos) return -1;
  return std::strtol(text.c_str() + at + name.size() + 2, nullptr, 10);
}

void Memory(pid_t root, Figures& f) {
  f.rss_kb = f.pss_kb = 0;
  f.processes = 0;
  for (pid_t p : Tree(root)) {
    const long rss = Field("\n" + ReadFile("/proc/" + std::to_string(p) + "/status"), "VmRSS");
    const long pss = Field("\n" + ReadFile("/proc/" + std::to_string(p) + "/smaps_rollup"), "Pss");
    if (rss < 0) continue;
    f.rss_kb += rss;
    f.pss_kb += pss < 0 ? 0 : pss;
    ++f.processes;
  }
}

// CPU clock ticks (user + system) used so far by each process of the tree.
std::map<pid_t, long> Ticks(const std::vector<pid_t>& pids) {
  std::map<pid_t, long> ticks;
  for (pid_t p : pids) {
    const std::string stat = ReadFile("/proc/" + std::to_string(p) + "/stat");
    const auto close = stat.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream rest(stat.substr(close + 2));
    std::string field;
    long utime = 0, stime = 0;
    for (int i = 3; i <= 15 && rest >> field; ++i) {
      if (i == 14) utime = std::stol(field);
      if (i == 15) stime = std::stol(field);
    }
    ticks[p] = utime + stime;
  }
  return ticks;
}

// CPU over `seconds` of the program's process tree and of the X server, in % of one core.
void Cpu(pid_t root, pid_t xvfb, int seconds, Figures& f) {
  const auto before = Ticks(Tree(root));
  const auto xbefore = Ticks({xvfb});
  const Clock::time_point start = Clock::now();
  std::this_thread::sleep_for(std::chrono::seconds(seconds));
  const auto after = Ticks(Tree(root));
  const auto xafter = Ticks({xvfb});
  const double wall = std::chrono::duration<double>(Clock::now() - start).count();
  long used = 0;
  for (const auto& [pid, t] : after) {
    const auto it = before.find(pid);
    used += t - (it == before.end() ? 0 : it->second);  // started meanwhile: all its time
  }
  const double hz = static_cast<double>(sysconf(_SC_CLK_TCK));
  f.cpu_percent = 100.0 * static_cast<double>(used) / hz / wall;
  if (xbefore.contains(xvfb) && xafter.contains(xvfb)) {
    f.xvfb_percent = 100.0 * static_cast<double>(xafter.at(xvfb) - xbefore.at(xvfb)) / hz / wall;
  }
}

void Stop(pid_t root) {
  const std::vector<pid_t> tree = Tree(root);
  kill(root, SIGTERM);
  for (int i = 0; i < 50; ++i) {
    if (waitpid(root, nullptr, WNOHANG) == root) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  for (pid_t p : tree) kill(p, SIGKILL);
  waitpid(root, nullptr, WNOHANG);
}

bool WaitForFile(const fs::path& p, std::chrono::seconds timeout) {
  const Clock::time_point start = Clock::now();
  while (Clock::now() - start < timeout) {
    if (fs::exists(p)) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

std::string Run(const lontar::testing::CommandResult& r, const char* what) {
  if (r.exit_code != 0) {
    std::fprintf(stderr, "kiosk_chromium: %s failed: %s%s\n", what, r.out.c_str(), r.err.c_str());
    std::exit(1);
  }
  return r.out;
}

// A terminal home with the demo SKD pack loaded and released and the session open: the kiosk
// logs DEMO-0001 in and shows the first item. Returns the session token.
std::string PrepareTerminal(const TempDir& dir, const fs::path& home) {
  for (const std::string k : {"authority", "results"}) {
    fs::copy_file(kDemo / "keys" / (k + ".key"), dir / (k + ".key"));
    fs::copy_file(kDemo / "keys" / (k + ".pub"), dir / (k + ".pub"));
    fs::permissions(dir / (k + ".key"), fs::perms::owner_read | fs::perms::owner_write);
  }
  Run(RunLontar({"terminal", "init", "--home", home.string(), "--site", "BENCH-01", "--trust",
                 (dir / "authority.pub").string()}),
      "terminal init");
  Run(RunLontar({"terminal", "enrollment", "--home", home.string(), "--out",
                 (dir / "t.enroll").string(), "--force"}),
      "terminal enrollment");
  Run(RunLontar(lontar::testing::PackBuildCommand({.source = kDemo / "skd",
                                                   .authority_key = dir / "authority.key",
                                                   .results_pub = dir / "results.pub",
                                                   .release_code_file = kDemo / "release-code.txt",
                                                   .proctor_code_file = kDemo / "proctor-code.txt",
                                                   .out = dir / "skd.lpk",
                                                   .enrollments = {dir / "t.enroll"}})),
      "pack build");
  Run(RunLontar({"terminal", "load", "--home", home.string(), (dir / "skd.lpk").string()}),
      "terminal load");
  Run(RunLontar({"session", "release", "--home", home.string(), "--code-file",
                 (kDemo / "release-code.txt").string()}),
      "session release");
  const std::string out =
      Run(RunLontar({"session", "open", "--home", home.string(), "--proctor-code-file",
                     (kDemo / "proctor-code.txt").string(), "--json"}),
          "session open");
  return nlohmann::json::parse(out)["token"];
}

// The demo item as a page, laid out like the kiosk's item screen at this screen height: header
// with the section and a countdown that ticks every second, the stem, five options, buttons.
std::string ItemPage(int height) {
  const int body = std::max(16, 22 * height / 768);
  std::ostringstream html;
  html << R"(<!doctype html><html lang="id"><head><meta charset="utf-8"><title>Lontar</title>
<style>
body{margin:0;padding:1em;font-family:"Noto Sans",sans-serif;font-size:)"
       << body << R"(px;background:#f4f1ea;color:#202020}
header{display:flex;justify-content:space-between;border-bottom:1px solid #999}
h1{font-size:1.6em;margin:0} .who{color:#666}
.stem{margin:1em 0} button{display:block;width:100%;text-align:left;font:inherit;
padding:.5em;margin:.3em 0;border:1px solid #999;border-radius:6px;background:#fff}
footer{position:fixed;bottom:1em;left:1em;right:1em;display:flex;gap:1em}
footer button{width:auto}
</style></head><body>
<header><div><h1>Tes Wawasan Kebangsaan</h1><div class="who">DEMO-0001 · Ayu Lestari</div></div>
<div><h1 id="clock">45:00</h1><div class="who">Sisa waktu bagian 12:00</div></div></header>
<div class="stem">Soal 1 dari 8<br>Pancasila disahkan sebagai dasar negara pada tanggal ...</div>
<button>A. 1 Juni 1945</button><button>B. 17 Agustus 1945</button>
<button>C. 18 Agustus 1945</button><button>D. 22 Juni 1945</button>
<button>E. 28 Oktober 1928</button>
<footer><button>Sebelumnya</button><button>Ragu-ragu</button><button>Berikutnya</button></footer>
<script>
let left = 45 * 60;
setInterval(() => {
  left -= 1;
  const m = Math.floor(left / 60), s = left % 60;
  document.getElementById("clock").textContent = m + ":" + String(s).padStart(2, "0");
}, 1000);
</script></body></html>
)";
  return html.str();
}

nlohmann::json ToJson(const Figures& f) {
  return {{"first_frame_ms", f.first_frame_ms},
          {"rss_kb", f.rss_kb},
          {"pss_kb", f.pss_kb},
          {"processes", f.processes},
          {"cpu_percent", f.cpu_percent},
          {"xvfb_cpu_percent", f.xvfb_percent}};
}

bool Complete(const Figures& f) {
  return f.first_frame_ms >= 0 && f.rss_kb > 0 && f.cpu_percent >= 0 && f.xvfb_percent >= 0;
}

}  // namespace

int main(int argc, char** argv) {
  int seconds = 60;
  std::string screen = "1920x1080";
  std::string json_out;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--smoke") {
      seconds = 3;
    } else if (a == "--seconds" && i + 1 < argc) {
      seconds = std::atoi(argv[++i]);
    } else if (a == "--screen" && i + 1 < argc) {
      screen = argv[++i];
    } else if (a == "--json" && i + 1 < argc) {
      json_out = argv[++i];
    } else {
      std::fprintf(stderr,
                   "usage: %s [--seconds 60] [--screen 1920x1080] [--json FILE] [--smoke]\n",
                   argv[0]);
      return 2;
    }
  }
  int width = 0, height = 0;
  if (std::sscanf(screen.c_str(), "%dx%d", &width, &height) != 2 || seconds < 1) return 2;
  if (!fs::exists("/usr/bin/Xvfb")) {
    std::fprintf(stderr, "kiosk_chromium: Xvfb is not installed\n");
    return 77;
  }
  TempDir dir;
  const fs::path home = dir / "home";
  const std::string token = PrepareTerminal(dir, home);
  const std::string pin = "224906";  // DEMO-0001's, assets/demo/pins.csv
  const fs::path shot = dir / "item.png";
  std::ofstream(dir / "script.jsonl")
      << "{\"expect\":\"login\"}\n{\"text\":\"DEMO-0001\"}\n{\"key\":\"Return\"}\n"
      << "{\"text\":\"" << pin << "\"}\n{\"key\":\"Return\"}\n{\"text\":\"" << token << "\"}\n"
      << "{\"key\":\"Return\"}\n{\"expect\":\"instructions\"}\n{\"key\":\"Return\"}\n"
      << "{\"expect\":\"item\"}\n{\"screenshot\":\"" << shot.string() << "\"}\n";

  auto xvfb = StartXvfb(screen, dir / "xvfb.log");
  if (!xvfb) {
    std::fprintf(stderr, "kiosk_chromium: Xvfb did not start\n");
    return 1;
  }
  const auto [xvfb_pid, display] = *xvfb;
  Display* dpy = XOpenDisplay(display.c_str());
  if (dpy == nullptr) {
    std::fprintf(stderr, "kiosk_chromium: cannot open display %s\n", display.c_str());
    kill(xvfb_pid, SIGTERM);
    return 1;
  }
  const std::vector<std::string> env = {"DISPLAY=" + display};
  constexpr auto kTimeout = std::chrono::seconds(120);
  int code = 0;

  // The kiosk: start, first frame (the login screen, the pack read), log in by script, item.
  Figures kiosk;
  {
    const Clock::time_point start = Clock::now();
    const pid_t pid = Spawn({std::string(LONTAR_BIN_DIR) + "/lontar-kiosk", "--home", home.string(),
                             "--script", (dir / "script.jsonl").string()},
                            env, dir / "kiosk.log");
    kiosk.first_frame_ms = WaitFirstFrame(dpy, width, height, start, kTimeout);
    if (WaitForFile(shot, kTimeout)) {
      std::this_thread::sleep_for(std::chrono::seconds(2));
      Memory(pid, kiosk);
      Cpu(pid, xvfb_pid, seconds, kiosk);
    } else {
      std::fprintf(stderr, "kiosk_chromium: the kiosk never showed the item; its log:\n%s\n",
                   ReadFile(dir / "kiosk.log").c_str());
    }
    Stop(pid);
  }
  // Let the screen go back to the black root before chromium starts.
  std::this_thread::sleep_for(std::chrono::seconds(1));

  Figures chromium;
  const bool have_chromium = fs::exists(kChromium);
  if (have_chromium) {
    std::ofstream(dir / "item.html") << ItemPage(height);
    std::vector<std::string> args = {
        kChromium,
        "--kiosk",
        "--user-data-dir=" + (dir / "chromium").string(),
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--password-store=basic",
        "--noerrdialogs",
        "--window-position=0,0",
        "--window-size=" + std::to_string(width) + "," + std::to_string(height)};
    if (getuid() == 0) args.push_back("--no-sandbox");  // chromium refuses root otherwise
    args.push_back("file://" + (dir / "item.html").string());
    const Clock::time_point start = Clock::now();
    const pid_t pid = Spawn(args, env, dir / "chromium.log");
    chromium.first_frame_ms = WaitFirstFrame(dpy, width, height, start, kTimeout);
    if (chromium.first_frame_ms >= 0) {
      std::this_thread::sleep_for(std::chrono::seconds(2));
      Memory(pid, chromium);
      Cpu(pid, xvfb_pid, seconds, chromium);
    } else {
      std::fprintf(stderr, "kiosk_chromium: chromium never drew; its log:\n%s\n",
                   ReadFile(dir / "chromium.log").c_str());
    }
    Stop(pid);
  }
  XCloseDisplay(dpy);
  kill(xvfb_pid, SIGTERM);
  waitpid(xvfb_pid, nullptr, 0);

  auto row = [](const char* name, const Figures& f) {
    std::printf(
        "%-9s first frame %8.0f ms   RSS %7.1f MB (%d processes)   PSS %7.1f MB   "
        "CPU %6.2f %%   Xvfb CPU %6.2f %%\n",
        name, f.first_frame_ms, static_cast<double>(f.rss_kb) / 1024, f.processes,
        static_cast<double>(f.pss_kb) / 1024, f.cpu_percent, f.xvfb_percent);
  };
  std::printf("screen %s, idle %d s, CPU in %% of one core\n", screen.c_str(), seconds);
  row("kiosk", kiosk);
  nlohmann::json out = {{"screen", screen}, {"idle_seconds", seconds}, {"kiosk", ToJson(kiosk)}};
  if (!Complete(kiosk)) code = 1;
  if (have_chromium) {
    row("chromium", chromium);
    auto ratio = [](double c, double k) { return k > 0 ? c / k : -1.0; };
    const nlohmann::json ratios = {
        {"first_frame", ratio(chromium.first_frame_ms, kiosk.first_frame_ms)},
        {"rss", ratio(static_cast<double>(chromium.rss_kb), static_cast<double>(kiosk.rss_kb))},
        {"pss", ratio(static_cast<double>(chromium.pss_kb), static_cast<double>(kiosk.pss_kb))},
        {"cpu", ratio(chromium.cpu_percent, kiosk.cpu_percent)},
        {"cpu_with_xvfb", ratio(chromium.cpu_percent + chromium.xvfb_percent,
                                kiosk.cpu_percent + kiosk.xvfb_percent)}};
    std::printf(
        "chromium / kiosk: first frame %.2fx, RSS %.2fx, PSS %.2fx, CPU %.2fx, "
        "CPU with Xvfb %.2fx\n",
        ratios["first_frame"].get<double>(), ratios["rss"].get<double>(),
        ratios["pss"].get<double>(), ratios["cpu"].get<double>(),
        ratios["cpu_with_xvfb"].get<double>());
    out["chromium"] = ToJson(chromium);
    out["chromium_over_kiosk"] = ratios;
    if (!Complete(chromium)) code = 1;
  } else {
    std::printf("chromium is not installed (%s): no comparison\n", kChromium);
  }
  if (!json_out.empty()) std::ofstream(json_out) << out.dump(2) << "\n";
  if (code == 0 && !have_chromium) return 77;
  return code;
}
