# Shared by the power-cut scripts (sourced, not run): a scratch ext4 filesystem on a loop device, and
# the "power cut": a copy of its image taken while a writer runs, mounted as a restart would see it.
#
#   cargo_executable ARGS...   builds with cargo and prints the executable's path (wherever cargo puts it)
#   loopdisk_require NAME      exits 0 with a visible SKIPPED line unless root with loop devices and mkfs.ext4
#   loopdisk_init              a work directory ($work) with mount points live/ and copy/, cleaned at exit
#   loopdisk_fresh             a new 128 MiB ext4 image mounted on $work/live
#   loopdisk_cut               copies the image now (the cut), unmounts live, mounts the copy on $work/copy

cargo_executable() {
  cargo build --release --quiet --message-format=json "$@" | sed -n 's/.*"executable":"\([^"]*\)".*/\1/p' | tail -n 1
}

loopdisk_require() {
  if [ "$(id -u)" != 0 ] || ! command -v mkfs.ext4 > /dev/null || ! losetup -f > /dev/null 2>&1; then
    echo "$1: SKIPPED (needs root, mkfs.ext4 and a free loop device)"
    exit 0
  fi
}

loopdisk_init() {
  work=$(mktemp -d)
  mkdir -p "$work/live" "$work/copy"
  trap 'loopdisk_cleanup' EXIT
}

loopdisk_cleanup() {
  [ -n "${loopdisk_pids:-}" ] && kill -9 $loopdisk_pids 2>/dev/null || true
  umount "$work/live" 2>/dev/null || true
  umount "$work/copy" 2>/dev/null || true
  rm -rf "$work"
}

loopdisk_fresh() {
  dd if=/dev/zero of="$work/disk.img" bs=1M count=128 status=none
  mkfs.ext4 -q -F "$work/disk.img"
  mount -o loop "$work/disk.img" "$work/live"
}

loopdisk_cut() {
  cp "$work/disk.img" "$work/copy.img"
  [ -n "${loopdisk_pids:-}" ] && { kill -9 $loopdisk_pids 2>/dev/null || true; wait $loopdisk_pids 2>/dev/null || true; }
  loopdisk_pids=
  umount "$work/live"
  mount -o loop "$work/copy.img" "$work/copy"
}
