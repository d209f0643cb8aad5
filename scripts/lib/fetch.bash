# shellcheck shell=bash
# Helpers shared by scripts/fetch-gpt2, scripts/fetch-sms-spam and scripts/quickstart.
# Sourced, not run. Needs bash 4, coreutils (sha256sum, stat) and, to download, curl.

# Exit codes of the fetch scripts (scripts/quickstart tells "unavailable" from the others).
# shellcheck disable=SC2034  # used by the scripts that source this file
FETCH_OK=0 FETCH_FAILED=1 FETCH_USAGE=2 FETCH_UNAVAILABLE=3 FETCH_MISMATCH=4

# The public GPT-2 (124M) checkpoint on Hugging Face, pinned to one revision so the bytes
# behind the URLs cannot change under the hashes. SIFT_GPT2_REVISION=main follows the branch.
# shellcheck disable=SC2034
GPT2_REPO=openai-community/gpt2
# shellcheck disable=SC2034
GPT2_REVISION_PINNED=607a30d783dfa663caf39e06633721c8d4cfcd7e
# In fetch order: the small files first, so the tokenizer is there even if the weights fail.
# shellcheck disable=SC2034
GPT2_FILES=(config.json vocab.json merges.txt model.safetensors)
# sha256 and size of each file at that revision. model.safetensors: the Git LFS oid (which is
# its sha256). config.json: sha256 of the 665-byte file whose git blob id is HF's etag
# 10c66461e4c109db5a2196bff4bb59be30396ed8. vocab.json and merges.txt: byte-identical to OpenAI's
# encoder.json and vocab.bpe (the hashes tiktoken pins for gpt2; same git blob ids 1f1d9aac…
# and 226b0752… as in the HF tree), so the same hashes check either name.
declare -A GPT2_SHA256=(
    [config.json]=0daed7749b4f02b8f76240d5444551d7b08712dab4d0adb8239c56ba823bb7b4
    [vocab.json]=196139668be63f3b5d6574427317ae82f612a97c5d1cdaf36ed2256dbf636783
    [merges.txt]=1ce1664773c50f3e0cc8842619a93edc4624525b728b188a9e0be33b7726adc5
    [model.safetensors]=248dfc3911869ec493c76e65bf2fcf7f615828b0254c12b473182f0f81d3a707
)
declare -A GPT2_SIZE=(
    [config.json]=665
    [vocab.json]=1042301
    [merges.txt]=456318
    [model.safetensors]=548105171
)

# The SMS Spam Collection v.1 (UCI dataset 228): the extracted data file, 5,574 lines.
# shellcheck disable=SC2034
SMS_SPAM_SHA256=7d039a24a6083ed9ef0f806ebad56bbb976e3aeb8de05669173bfdc4996c239d
# shellcheck disable=SC2034
SMS_SPAM_SIZE=477907
# Its readme (Latin-1, CRLF), as in the zip: checked, but only a warning if it differs.
# shellcheck disable=SC2034
SMS_SPAM_README_SHA256=8753cd2d3cab68f80c8257851b8c2037778c267f55accb6fd1b5a2e32d36a84e

# sha256_of FILE: prints the file's sha256 (read through stdin, so no name escaping).
sha256_of() { sha256sum <"$1" | cut -d' ' -f1; }

# file_size FILE: prints its size in bytes.
file_size() { stat -c %s -- "$1"; }

# human_size BYTES: e.g. 523MiB.
human_size() { numfmt --to=iec-i --suffix=B "$1" 2>/dev/null || echo "$1 bytes"; }

# check_file FILE SHA256 [SIZE]: 0 when FILE has that size (if given) and hash. Sets CHECK_GOT
# to what was found ("size N" or the sha256) for the error message.
CHECK_GOT=""
check_file() {
    local file=$1 want=$2 size=${3:-} got
    CHECK_GOT=""
    if [ -n "$size" ]; then
        got=$(file_size "$file")
        if [ "$got" != "$size" ]; then
            CHECK_GOT="$got bytes, expected $size"
            return 1
        fi
    fi
    got=$(sha256_of "$file")
    if [ "$got" != "$want" ]; then
        CHECK_GOT="sha256 $got, expected $want"
        return 1
    fi
    return 0
}

# fetch_url URL PART [LABEL]: downloads URL into PART with curl, continuing from what PART
# already holds (curl -C -), retrying transient failures (each retry resumes too).
# Returns 0 when the transfer completed (the caller verifies the bytes), 3 when the host cannot
# be reached or does not have the file, 1 on a local error (e.g. the disk is full).
# SIFT_FETCH_ATTEMPTS (default 5) bounds the attempts. The progress bar shows on a terminal.
# Sets FETCH_UNREACHABLE=true when the host could not be resolved or connected to, so a caller
# can skip its other files on that host instead of waiting for each one.
FETCH_UNREACHABLE=false
fetch_url() {
    local url=$1 part=$2 label=${3:-$1}
    local max=${SIFT_FETCH_ATTEMPTS:-5} attempt=1 rc code have
    local -a progress=(--silent --show-error)
    if [ -t 2 ]; then progress=(--progress-bar); fi
    while :; do
        have=0
        if [ -f "$part" ]; then have=$(file_size "$part"); fi
        if [ "$have" -gt 0 ]; then
            echo "  resuming $label after $(human_size "$have")" >&2
        fi
        rc=0
        code=$(curl --location --fail --connect-timeout 20 --speed-limit 1024 --speed-time 60 \
            --continue-at - --output "$part" --write-out '%{http_code}' "${progress[@]}" \
            -- "$url") || rc=$?
        if [ "$rc" -eq 0 ]; then return 0; fi
        case "$rc" in
            6|7)  # could not resolve host / could not connect: offline, most likely
                if [ "$attempt" -ge 2 ]; then
                    echo "  cannot reach $url (curl exit $rc): offline?" >&2
                    FETCH_UNREACHABLE=true
                    return 3
                fi
                echo "  cannot reach the host (curl exit $rc); trying once more in 2 s" >&2
                attempt=$((attempt + 1)); sleep 2; continue ;;
            22)  # HTTP error (--fail)
                case "$code" in
                    416) if [ "$have" -gt 0 ]; then  # cannot resume there: start over, at once
                             echo "  the server refused to resume; starting $label again" >&2
                             rm -f -- "$part"; continue
                         fi ;;
                    401|403|404|410)
                         echo "  $url: HTTP $code (not there)" >&2
                         return 3 ;;
                esac ;;
            33)  # the server cannot resume: start over, at once
                if [ "$have" -gt 0 ]; then
                    echo "  the server cannot resume; starting $label again" >&2
                    rm -f -- "$part"; continue
                fi ;;
            23)  # write error
                echo "  cannot write $part (disk full?)" >&2
                return 1 ;;
        esac
        if [ "$attempt" -ge "$max" ]; then
            echo "  giving up on $url after $attempt attempts (curl exit $rc, HTTP ${code:-none})" >&2
            return 3
        fi
        attempt=$((attempt + 1))
        echo "  download interrupted (curl exit $rc, HTTP ${code:-none}); attempt $attempt of $max in $((attempt * 2)) s" >&2
        sleep $((attempt * 2))
    done
}
