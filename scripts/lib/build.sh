# Sourced by the scripts: builds a project in Release only when a source is newer than its output, and shows the
# build's errors (a wrong SDK or a missing glslc must say so, not end in a silent exit 1).
# build_if_stale <project.csproj> <output.dll>
build_if_stale() {
    local project="$1" output="$2" root
    root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
    command -v dotnet >/dev/null || { echo "error: dotnet is missing: install the .NET 10 SDK (https://dot.net)" >&2; return 1; }
    if [ -f "$output" ] && [ -z "$(find "$root/engine" "$root/shaders" "$root/models" "$root/cli" "$root/viewer" "$root/native" \
            "$root/Directory.Build.props" -newer "$output" -type f \
            \( -name '*.cs' -o -name '*.comp' -o -name '*.glsl' -o -name '*.csproj' -o -name '*.props' -o -name '*.targets' \
               -o -name '*.js' -o -name '*.html' -o -name '*.css' -o -name '*.proto' \) \
            -not -path '*/bin/*' -not -path '*/obj/*' -not -path '*/models/cache/*' -print -quit 2>/dev/null)" ]; then
        return 0
    fi
    echo "building $(basename "$project") (Release)..." >&2
    local log
    log=$(mktemp)
    if ! dotnet build "$project" -c Release --nologo -v q -clp:ErrorsOnly >"$log" 2>&1; then
        grep -E 'error|Error' "$log" | sort -u >&2 || cat "$log" >&2
        rm -f "$log"
        echo "error: the build of $(basename "$project") failed (errors above)" >&2
        return 1
    fi
    rm -f "$log"
}
