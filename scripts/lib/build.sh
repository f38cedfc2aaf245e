# Sourced by the scripts: builds a project in Release only when a source is newer than its output, and shows the
# build's errors (a wrong SDK or a missing glslc must say so, not end in a silent exit 1).

# is_stale <output>: whether a source of the repository is newer than <output> (or it is missing).
is_stale() {
    local output="$1" root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    [ ! -f "$output" ] || [ -n "$(find "$root/engine" "$root/shaders" "$root/models" "$root/cli" "$root/viewer" "$root/native" \
            "$root/Directory.Build.props" -newer "$output" -type f \
            \( -name '*.cs' -o -name '*.comp' -o -name '*.glsl' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' \
               -o -name '*.js' -o -name '*.html' -o -name '*.css' -o -name '*.proto' \) \
            -not -path '*/bin/*' -not -path '*/obj/*' -not -path '*/models/cache/*' -print -quit 2>/dev/null)" ]
}

# run_dotnet <what> <dotnet arguments...>: runs dotnet quietly, showing only its errors if it fails.
run_dotnet() {
    local what="$1" log
    shift
    command -v dotnet >/dev/null || { echo "error: dotnet is missing: install the .NET 10 SDK (https://dot.net)" >&2; return 1; }
    echo "$what..." >&2
    log=$(mktemp)
    if ! dotnet "$@" -c Release --nologo -v q -clp:ErrorsOnly >"$log" 2>&1; then
        grep -E 'error|Error' "$log" | sort -u >&2 || cat "$log" >&2
        rm -f "$log"
        return 1
    fi
    rm -f "$log"
}

# build_if_stale <project.csproj> <output.dll>
build_if_stale() {
    local project="$1" output="$2"
    is_stale "$output" || return 0
    run_dotnet "building $(basename "$project") (Release)" build "$project" ||
        { echo "error: the build of $(basename "$project") failed (errors above)" >&2; return 1; }
    # An up-to-date build may leave the output's time alone (only a dependency changed): mark it as checked.
    touch "$output"
}

# publish_r2r_if_stale <project.csproj> <folder> <assembly.dll>: publishes the project ReadyToRun (its code and its packages'
# precompiled, so a short command JITs little: a third off `gmn --help`'s start here) into <folder>, framework-dependent,
# when a source changed. Returns 1 where that cannot be done (no runtime identifier for this machine, or no crossgen
# package offline), so the caller can run a plain build instead.
publish_r2r_if_stale() {
    local project="$1" folder="$2" assembly="$3" arch
    is_stale "$folder/$assembly" || return 0
    case "$(uname -m)" in x86_64) arch=x64 ;; aarch64 | arm64) arch=arm64 ;; *) return 1 ;; esac
    [ "$(uname -s)" = Linux ] || return 1
    run_dotnet "publishing $(basename "$project") ReadyToRun (Release, linux-$arch)" publish "$project" -r "linux-$arch" \
        --self-contained false -p:PublishReadyToRun=true -o "$folder" || return 1
    touch "$folder/$assembly"
}
