// jwtbatch: the command-line program. Argument wiring and output only; every verdict
// comes from the engine.
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <exception>
#include <memory>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include <fmt/core.h>
#include <CLI/CLI.hpp>

#include "build_info.hpp"
#include "commands.hpp"
#include "flags.hpp"
#include "io.hpp"
#include "jwtbatch/key_set.hpp"

namespace {

// say writes one diagnostic line to stderr and never fails: it is what main uses when
// everything else went wrong, and a closed or broken stderr must not turn an error
// into an abort (a second exception thrown from a catch block escapes main).
void say(std::string_view message) noexcept {
  std::string line = "jwtbatch: ";
  try {
    line.append(message);
    line += '\n';
  } catch (...) {  // no memory left for the message: say what we can
    line = "jwtbatch: error\n";
  }
  (void)std::fflush(stderr);  // what stdio holds comes first; its failure is ignored too
  (void)jwtbatch::cli::io::write_all(STDERR_FILENO,
                                     line);  // a failed stderr has no one left to tell
}

// A standard descriptor the program was started without (`2>&-`) is opened on
// /dev/null, read-only or write-only, before anything else is opened. Otherwise the
// next file opened takes its number: `gen --out F 2>&-` would write its diagnostics
// into F. A closed stdin keeps failing reads and a closed stdout failing writes (EBADF,
// reported as before); a closed stderr discards diagnostics, as its closer asked.
void hold_standard_descriptors() noexcept {
  struct slot {
    int fd;
    int flags;
  };
  for (const slot s : {slot{STDIN_FILENO, O_WRONLY}, slot{STDOUT_FILENO, O_RDONLY},
                       slot{STDERR_FILENO, O_WRONLY}}) {
    if (::fcntl(s.fd, F_GETFD) != -1 || errno != EBADF) continue;
    const int fd = ::open("/dev/null", s.flags);  // lowest free number: s.fd
    if (fd >= 0 && fd != s.fd) {
      ::dup2(fd, s.fd);
      ::close(fd);
    }
  }
}

std::string parse_failure(const CLI::App* app, const CLI::Error& e) {
  std::string text = fmt::format("jwtbatch: {}\n", e.what());
  if (app != nullptr && app->get_help_ptr() != nullptr) {
    text += fmt::format("Run with {} for more information.\n", app->get_help_ptr()->get_name());
  }
  return text;
}

int run(int argc, char** argv) {
  CLI::App app{"jwtbatch: verify JSON Web Tokens in bulk", "jwtbatch"};
  // Inherited by every command added below.
  app.formatter(std::make_shared<jwtbatch::cli::help_formatter>());
  app.failure_message(&parse_failure);
  app.set_version_flag("--version", &jwtbatch::cli::version_text,
                       "Print the version, build type, BoringSSL and SIMD paths, and exit");
  // At most one command; an unknown word is reported by name ("not expected: X").
  app.require_subcommand(0, 1);

  // One subcommand per entry of the command table (commands.hpp), in its order.
  jwtbatch::cli::command_options options;
  const std::vector<jwtbatch::cli::command> commands = jwtbatch::cli::command_table(options);
  std::vector<const CLI::App*> subcommands;
  for (const jwtbatch::cli::command& c : commands) {
    CLI::App* sub = app.add_subcommand(std::string(c.name), std::string(c.help));
    c.setup(*sub);
    subcommands.push_back(sub);
  }
  std::string help_topic;
  auto* help = app.add_subcommand("help", "Print this help, or the help of COMMAND, and exit");
  help->add_option("command", help_topic, "A command: verify, scan, gen, keygen, ...")
      ->type_name("COMMAND");
  app.footer(
      "Exit codes: 0 nothing failed; 1 at least one record is not ok; 2 usage, configuration, "
      "key or input error (the message names the flag or file). `jwtbatch help verify` lists "
      "them all.");

  // "--iss=" must not take the next argument as its value (flags.hpp).
  const std::vector<std::string> args =
      jwtbatch::cli::normalize_empty_inline_values(argc, const_cast<const char* const*>(argv));
  std::vector<const char*> arg_pointers;
  arg_pointers.reserve(args.size());
  for (const std::string& a : args) arg_pointers.push_back(a.c_str());
  try {
    app.parse(static_cast<int>(arg_pointers.size()), arg_pointers.data());
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    app.exit(e);  // prints "jwtbatch: " and the message naming the flag
    return 2;
  }
  if (help->parsed()) {
    if (help_topic.empty()) {
      // app.help() would show the help of the command that ran: `help` itself.
      fmt::print(stdout, "{}",
                 app.get_formatter()->make_help(&app, "jwtbatch", CLI::AppFormatMode::Normal));
    } else {
      const CLI::App* topic = nullptr;
      try {
        topic = app.get_subcommand(help_topic);
      } catch (const CLI::OptionNotFound&) {
      }
      if (topic == nullptr) {
        say(fmt::format("help: no command \"{}\" (see `jwtbatch help`)", help_topic));
        return 2;
      }
      fmt::print(stdout, "{}", topic->help("jwtbatch"));
    }
    if (std::fflush(stdout) != 0) {
      throw std::system_error(errno, std::generic_category(), "standard output: write failed");
    }
    return 0;
  }
  // The one dispatch: the command that was parsed runs; a configuration error of any
  // command is reported the same way ("jwtbatch: <message naming the flag or file>").
  try {
    for (std::size_t i = 0; i < commands.size(); ++i) {
      if (subcommands[i]->parsed()) return commands[i].run(stdout, stderr);
    }
  } catch (const jwtbatch::config_error& e) {
    say(e.what());
    return 2;
  }
  say("a subcommand is required (verify, scan, consume, gen, keygen, sign, keys, inspect, bench, "
      "demo, help)");
  (void)std::fputs(app.help().c_str(), stderr);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  hold_standard_descriptors();
  // A closed stdout (`| head`) or a reader gone from an input pipe shows up as EPIPE
  // on the write, handled below, instead of killing the process.
  (void)std::signal(SIGPIPE, SIG_IGN);
  // Exceptions are for configuration errors only; none may end the program unexplained.
  try {
    return run(argc, argv);
  } catch (const std::system_error& e) {
    // A reader that stopped reading (`| head -1`) is how pipelines end: like the tools
    // people pipe into head, end quietly with success.
    if (e.code() == std::errc::broken_pipe) return 0;
    say(e.what());
  } catch (const std::exception& e) {
    say(e.what());
  } catch (...) {
    say("unexpected error");
  }
  return 2;
}
