//! The writer every file written atomically goes through (every output but the GeoPackage,
//! which SQLite writes): small files as a buffered writer would write them; a large file's
//! whole blocks past the page cache (`O_DIRECT`, on Linux).
//!
//! Why: `run` on the peer's million incidents writes a 1.2 GB incident layer. Through the page
//! cache, the kernel's copy of those bytes into fresh cache pages cost about a second of
//! system time per gigabyte on this project's machine (`dd` of 1 GiB: 1.2-1.3 s of system
//! time buffered, 0.07-0.14 s direct), on a job whose two cores are otherwise busy. A direct
//! write hands aligned blocks to the device instead. The bytes in the file are the same.
//!
//! A file goes direct only once it has more than one [`CHUNK`]: smaller files are written
//! in one buffered write when flushed, and stay in the page cache for whoever reads them
//! next. Where the file system refuses direct writes (`fcntl` fails, or a direct write fails
//! with `EINVAL`), or a write ends off a block boundary, the rest of the file is written
//! buffered. The last chunk is always written buffered.

use std::fs::File;
use std::io::{self, Write};

/// Alignment of a direct write's memory, file offset and length: a multiple of every common
/// logical block size (512 or 4096 bytes).
const BLOCK: usize = 4096;

/// Bytes gathered per write: 4 MiB, whole blocks (`dd` of 1 GiB direct: 0.87 s in 1 MiB
/// writes, 0.71 s in 4 MiB writes). A direct write waits for the device, and at the end of
/// `run` on a million incidents the incident layer's writer was still waiting on its 1 MiB
/// writes when everything else was done. 1 -> 4 MiB, interleaved pairs on the peer's
/// million: `run` 0.975 and 0.967 (faster in 6 of 8 both times); `export --layers
/// geojson` 1.031 (3 of 8) and 0.944 (7 of 8); `run` with the shipped borders on 200,000
/// rows 0.993 (3 of 6).
const CHUNK: usize = 1024 * BLOCK;

/// How the file is being written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    /// Nothing written yet: the first full chunk tries direct writes.
    Untried,
    /// Whole blocks go past the page cache.
    Direct,
    /// Through the page cache, to the end.
    Buffered,
}

/// A buffered writer into `file` (newly created and empty, written from its start) that
/// writes whole chunks past the page cache where it can. [`Write::flush`] writes out
/// everything held; after a flush that leaves the file off a block boundary the rest is
/// written buffered.
pub(crate) struct LargeFileWriter<'f> {
    file: &'f File,
    /// Room for `CHUNK + BLOCK` bytes, never reallocated: `start` bytes of padding, then the
    /// bytes held, which so begin on a block boundary.
    memory: Vec<u8>,
    start: usize,
    mode: Mode,
}

impl<'f> LargeFileWriter<'f> {
    pub(crate) fn new(file: &'f File) -> LargeFileWriter<'f> {
        // Room only, filled as bytes come: a small file touches the memory it uses, as the
        // buffered writer this replaced did. Zeroed room, asked of the allocator, can be
        // cleared whole (`perf` on `run` caught mimalloc's zeroing `memset` faulting pages).
        let mut memory: Vec<u8> = Vec::with_capacity(CHUNK + BLOCK);
        let start = memory.as_ptr().align_offset(BLOCK);
        // `align_offset` may in principle give up (usize::MAX): then no direct writes.
        let (start, mode) = if start < BLOCK {
            (start, Mode::Untried)
        } else {
            (0, Mode::Buffered)
        };
        memory.resize(start, 0);
        LargeFileWriter {
            file,
            memory,
            start,
            mode,
        }
    }

    /// The bytes held, not yet written.
    fn held(&self) -> usize {
        self.memory.len() - self.start
    }

    /// Writes out the held bytes, which fill a whole chunk, direct where it can.
    fn write_chunk(&mut self) -> io::Result<()> {
        if self.mode == Mode::Untried {
            self.mode = if direct::enable(self.file) {
                Mode::Direct
            } else {
                Mode::Buffered
            };
        }
        let mut from = self.start;
        let end = self.memory.len();
        while from < end {
            match (&*self.file).write(&self.memory[from..end]) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => {
                    from += n;
                    if self.mode == Mode::Direct && n % BLOCK != 0 {
                        // The file now ends off a block boundary.
                        self.go_buffered()?;
                    }
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                // Refused as a direct write (alignment, or a file system that accepted
                // the flag but not the write): the same bytes, buffered.
                Err(e) if self.mode == Mode::Direct && e.kind() == io::ErrorKind::InvalidInput => {
                    self.go_buffered()?;
                }
                Err(e) => return Err(e),
            }
        }
        self.memory.truncate(self.start);
        Ok(())
    }

    /// Writes the rest of the file through the page cache.
    fn go_buffered(&mut self) -> io::Result<()> {
        if self.mode == Mode::Direct {
            direct::disable(self.file)?;
        }
        self.mode = Mode::Buffered;
        Ok(())
    }
}

impl Write for LargeFileWriter<'_> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        // A full chunk goes out before more is taken, so an error takes none of `data`.
        if self.held() == CHUNK && !data.is_empty() {
            self.write_chunk()?;
        }
        let n = data.len().min(CHUNK - self.held());
        // Within the room made at the start: the held bytes do not move.
        self.memory.extend_from_slice(&data[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        if self.held() > 0 {
            // What is held may end the file off a block boundary: written buffered, as is
            // the rest of the file should more come.
            self.go_buffered()?;
            (&*self.file).write_all(&self.memory[self.start..])?;
            self.memory.truncate(self.start);
        }
        (&*self.file).flush()
    }
}

#[cfg(target_os = "linux")]
mod direct {
    use rustix::fs::{OFlags, fcntl_getfl, fcntl_setfl};
    use std::fs::File;
    use std::io;

    /// Turns direct writes on for `file`; whether they are.
    pub(super) fn enable(file: &File) -> bool {
        fcntl_getfl(file).is_ok_and(|flags| fcntl_setfl(file, flags | OFlags::DIRECT).is_ok())
    }

    /// Turns direct writes off again.
    pub(super) fn disable(file: &File) -> io::Result<()> {
        let flags = fcntl_getfl(file)?;
        fcntl_setfl(file, flags - OFlags::DIRECT)?;
        Ok(())
    }
}

#[cfg(not(target_os = "linux"))]
mod direct {
    use std::fs::File;
    use std::io;

    pub(super) fn enable(_: &File) -> bool {
        false
    }

    pub(super) fn disable(_: &File) -> io::Result<()> {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    /// Bytes that differ from block to block, so a misplaced block shows.
    fn pattern(len: usize) -> Vec<u8> {
        (0..len).map(|i| (i * 7 + i / 4096) as u8).collect()
    }

    fn written_in_pieces(dir: &std::path::Path, data: &[u8], pieces: &[usize]) -> Vec<u8> {
        let path = dir.join("out.bin");
        let file = File::create(&path).unwrap();
        let mut w = LargeFileWriter::new(&file);
        let mut rest = data;
        for &size in pieces.iter().cycle() {
            if rest.is_empty() {
                break;
            }
            let (now, later) = rest.split_at(size.min(rest.len()));
            w.write_all(now).unwrap();
            rest = later;
        }
        w.flush().unwrap();
        drop(w);
        drop(file);
        let mut back = Vec::new();
        File::open(&path).unwrap().read_to_end(&mut back).unwrap();
        back
    }

    #[test]
    fn the_file_holds_what_was_written_at_any_size_and_in_any_pieces() {
        let dir = tempfile::tempdir().unwrap();
        for len in [
            0,
            1,
            BLOCK - 1,
            BLOCK,
            CHUNK - 1,
            CHUNK,
            CHUNK + 1,
            2 * CHUNK + 12_345,
        ] {
            let data = pattern(len);
            for pieces in [&[len.max(1)][..], &[1, 4095, 4097, 100_000], &[3 * CHUNK]] {
                assert!(
                    written_in_pieces(dir.path(), &data, pieces) == data,
                    "{len} bytes written in pieces of {pieces:?}"
                );
            }
        }
    }

    #[test]
    fn a_flush_midway_leaves_the_rest_buffered_and_the_bytes_right() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.bin");
        let file = File::create(&path).unwrap();
        let mut w = LargeFileWriter::new(&file);
        let data = pattern(3 * CHUNK + 999);
        w.write_all(&data[..CHUNK + 10]).unwrap();
        w.flush().unwrap();
        assert_eq!(w.mode, Mode::Buffered);
        w.write_all(&data[CHUNK + 10..]).unwrap();
        w.flush().unwrap();
        drop(w);
        assert!(std::fs::read(&path).unwrap() == data);
    }
}
