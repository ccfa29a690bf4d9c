//! The output folder's life: the target checked, a staging folder created and
//! locked, stamped, and swapped into place when complete (see the rules in
//! [`crate::output`]).

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use crate::error::{Error, Result};
use crate::input::shown;

/// The stamp file that marks a folder as written by borderflow; only such a
/// folder is ever replaced.
pub const STAMP: &str = ".borderflow";

/// The lock file inside a staging folder: locked (`flock`) for the life of
/// its writer and holding that writer's process id.
const LOCK: &str = ".lock";

/// Longest name accepted for a scenario, sweep or what-if [bytes]; the
/// staging folder adds 9 bytes and file systems allow 255.
pub const MAX_NAME_BYTES: usize = 128;

/// Longest last component of an `-o` path [bytes]: 255 less the staging
/// folder's `.` and `.partial`, with room for the `.old.<pid>` aside.
const MAX_FOLDER_NAME_BYTES: usize = 230;

/// The rule for every name that becomes a folder name (scenarios, sweeps,
/// what-ifs): not empty, no `/` or `\`, no leading `.`, no control
/// characters, at most [`MAX_NAME_BYTES`] bytes. Returns what is wrong.
pub fn check_name(name: &str) -> std::result::Result<(), String> {
    if name.trim().is_empty() {
        return Err("must not be empty".into());
    }
    if name.len() > MAX_NAME_BYTES {
        return Err(format!(
            "is {} bytes long; it names the output folder, so at most {MAX_NAME_BYTES}",
            name.len()
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(
            "must not contain control characters (NUL, line breaks, escapes): it names the output folder"
                .into(),
        );
    }
    if name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(
            "must not contain `/` or `\\` or start with `.`: it names the output folder".into(),
        );
    }
    Ok(())
}

fn refused(path: &Path, message: impl Into<String>) -> Error {
    Error::Refused {
        path: shown(&path.display().to_string()),
        message: message.into(),
    }
}

/// Splits an output path into its parent folder and last name, refusing
/// paths that do not end in a folder name (`/`, `.`, `..`, `x/..`).
fn split(target: &Path) -> Result<(PathBuf, String)> {
    let bad = || {
        refused(
            target,
            "does not name an output folder; give a new folder's path, e.g. -o outputs/run1",
        )
    };
    let Some(Component::Normal(last)) = target.components().next_back() else {
        return Err(bad());
    };
    let name = last.to_str().ok_or_else(bad)?.to_string();
    if name.len() > MAX_FOLDER_NAME_BYTES || name.chars().any(char::is_control) {
        return Err(refused(
            target,
            format!(
                "the output folder's name must be at most {MAX_FOLDER_NAME_BYTES} bytes, without control characters"
            ),
        ));
    }
    // `components` drops a trailing `.`, so `x/.` is the folder `x`.
    let mut rest = target.components();
    rest.next_back();
    let parent = rest.as_path();
    let parent = if parent.as_os_str().is_empty() {
        PathBuf::from(".")
    } else {
        parent.to_path_buf()
    };
    Ok((parent, name))
}

/// The staging folder `.<name>.partial` beside `target`, where its results
/// are built; `None` for a path that names no folder (`/`, `..`).
pub fn staging_path(target: &Path) -> Option<PathBuf> {
    let (parent, name) = split(target).ok()?;
    Some(parent.join(format!(".{name}.partial")))
}

/// Most numbered folders tried for one name before giving up (the last
/// one is then returned and refused like any other occupied target).
const MAX_NUMBERED: u32 = 10_000;

/// Where batches write without `-o`, relative to the working folder.
pub const OUTPUTS: &str = "outputs";

/// The output folder a batch named `name` writes to when no `-o` is given:
/// `outputs/<name>` the first time, then `outputs/<name>-2`, `-3`, … so that a
/// second run never replaces the first one's results. With `resume`, the
/// newest of them (the highest number whose folder or staging folder
/// exists): the one an interrupted run left, or a complete one that
/// `--resume` then finds finished. Without, the first whose folder does not
/// exist; if an interrupted run's staging folder is there,
/// [`OutputDir::create`] refuses it and says to resume, rather than leaving
/// finished work behind for a fresh number. Not `numbered` (a shard, which
/// must find the same folder as the other shards of its batch): always
/// `outputs/<name>`.
pub fn default_target(name: &str, resume: bool, numbered: bool) -> PathBuf {
    let root = Path::new(OUTPUTS);
    if !numbered {
        return root.join(name);
    }
    let folder = |k: u32| match k {
        1 => root.join(name),
        _ => root.join(format!("{name}-{k}")),
    };
    let taken = |p: &Path| {
        fs::symlink_metadata(p).is_ok()
            || staging_path(p).is_some_and(|s| fs::symlink_metadata(s).is_ok())
    };
    if resume {
        let mut last = folder(1);
        for k in 1..=MAX_NUMBERED {
            let p = folder(k);
            if !taken(&p) {
                break;
            }
            last = p;
        }
        return last;
    }
    (1..=MAX_NUMBERED)
        .map(folder)
        .find(|p| fs::symlink_metadata(p).is_err())
        .unwrap_or_else(|| folder(MAX_NUMBERED))
}

/// Checks that `target` may become (or be replaced by) an output folder:
/// it names a folder, and if something is there it is a folder borderflow
/// wrote (it holds [`STAMP`]) that is neither the working folder nor an
/// ancestor of it, and holds none of `inputs` (the files and folders the
/// command reads). Refusals have exit code 2; nothing is created.
pub fn check_target(target: &Path, inputs: &[PathBuf]) -> Result<()> {
    let (parent, name) = split(target)?;
    let mut ancestor = Some(parent.as_path());
    while let Some(a) = ancestor {
        if let Ok(meta) = fs::metadata(a) {
            if !meta.is_dir() {
                return Err(refused(
                    a,
                    "is not a folder, so it cannot hold the output folder",
                ));
            }
            break;
        }
        ancestor = a.parent();
    }
    let target = parent.join(name);
    let meta = match fs::symlink_metadata(&target) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::output(&target, e)),
    };
    if meta.file_type().is_symlink() {
        return Err(refused(
            &target,
            "is a symbolic link; borderflow writes only to a new folder or to one it wrote itself",
        ));
    }
    if !meta.is_dir() {
        return Err(refused(
            &target,
            "is a file; borderflow never replaces a file. Choose another -o",
        ));
    }
    let stamped = fs::symlink_metadata(target.join(STAMP)).is_ok_and(|m| m.is_file());
    if !stamped {
        return Err(refused(
            &target,
            format!(
                "exists and was not written by borderflow (it has no {STAMP} stamp), so it is left \
                 untouched. Choose a new folder with -o, or move this one away"
            ),
        ));
    }
    let canon = target
        .canonicalize()
        .map_err(|e| Error::output(&target, e))?;
    if let Ok(cwd) = std::env::current_dir().and_then(|d| d.canonicalize())
        && cwd.starts_with(&canon)
    {
        return Err(refused(
            &target,
            "is the working folder or holds it; borderflow will not replace it. Choose another -o",
        ));
    }
    for input in inputs {
        if let Ok(p) = input.canonicalize()
            && p.starts_with(&canon)
        {
            return Err(refused(
                &target,
                format!(
                    "holds {}, an input of this command; replacing the folder would destroy it. \
                     Choose another -o",
                    shown(&input.display().to_string())
                ),
            ));
        }
    }
    Ok(())
}

/// Checks that `dir` is a results folder borderflow wrote (a real folder
/// holding [`STAMP`]) before a command rewrites files in it in place
/// (`plot`); anything else is refused with exit code 2.
pub fn check_results(dir: &Path) -> Result<()> {
    if !fs::symlink_metadata(dir).is_ok_and(|m| m.is_dir()) {
        return Err(refused(dir, "is not a folder (of borderflow results)"));
    }
    if fs::symlink_metadata(dir.join(STAMP)).is_ok_and(|m| m.is_file()) {
        return Ok(());
    }
    Err(refused(
        dir,
        format!(
            "is not a results folder written by borderflow (no {STAMP} stamp); only those are \
             redrawn. Results written before the stamp existed must be run again"
        ),
    ))
}

/// An output folder under construction: a locked, stamped staging folder
/// `.<name>.partial` beside the target.
pub struct OutputDir {
    target: PathBuf,
    parent: PathBuf,
    name: String,
    staging: PathBuf,
    inputs: Vec<PathBuf>,
    /// Folders above the target that this writer created, innermost first:
    /// removed again (if still empty) when the staging folder is discarded.
    made_parents: Vec<PathBuf>,
    /// Held for the writer's life; the lock is released when it closes.
    _lock: File,
    /// Leave the staging folder in place when dropped.
    keep: bool,
    /// This writer created the staging folder (rather than finding it).
    created: bool,
}

impl OutputDir {
    /// Starts writing the results of `command` (e.g. `run`) that will end up
    /// in `target`. `inputs` are the files and folders the command reads: a
    /// target holding one is refused. With `resume`, a staging folder left by
    /// an interrupted run is taken over; without, finding one is refused
    /// (exit code 2) rather than a silent loss of its finished work. A staging
    /// folder in use by another writer is refused with that writer's process
    /// id.
    pub fn create(target: &Path, command: &str, resume: bool, inputs: &[PathBuf]) -> Result<Self> {
        check_target(target, inputs)?;
        let (parent, name) = split(target)?;
        let mut made_parents = Vec::new();
        let mut a = Some(parent.as_path());
        while let Some(p) = a
            && !p.as_os_str().is_empty()
            && !p.exists()
        {
            made_parents.push(p.to_path_buf());
            a = p.parent();
        }
        fs::create_dir_all(&parent).map_err(|e| Error::output(&parent, e))?;
        let staging = parent.join(format!(".{name}.partial"));
        debug_assert_eq!(Some(&staging), staging_path(target).as_ref());
        if let Ok(m) = fs::symlink_metadata(&staging)
            && !m.is_dir()
        {
            return Err(refused(
                &staging,
                "is in the way of the staging folder and is not a folder; move it away",
            ));
        }
        let created = match fs::create_dir(&staging) {
            Ok(()) => true,
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => false,
            Err(e) => return Err(Error::output(&staging, e)),
        };
        let lock_path = staging.join(LOCK);
        let mut lock = OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&lock_path)
            .map_err(|e| Error::output(&lock_path, e))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let mut pid = String::new();
                let _ = lock.read_to_string(&mut pid);
                let pid = pid.trim();
                return Err(refused(
                    &staging,
                    format!(
                        "is in use by process {} (another borderflow command writing {}); wait for \
                         it to finish or choose another -o",
                        if pid.is_empty() { "?" } else { pid },
                        shown(&target.display().to_string())
                    ),
                ));
            }
            Err(fs::TryLockError::Error(e)) => return Err(Error::output(&lock_path, e)),
        }
        lock.set_len(0)
            .and_then(|()| writeln!(lock, "{}", std::process::id()))
            .and_then(|()| lock.flush())
            .map_err(|e| Error::output(&lock_path, e))?;
        let dir = Self {
            target: parent.join(&name),
            parent,
            name,
            staging,
            inputs: inputs.to_vec(),
            made_parents,
            _lock: lock,
            keep: !created,
            created,
        };
        if !created && !resume {
            return Err(refused(
                &dir.staging,
                "holds the work of an interrupted or failed earlier attempt; continue it with \
                 --resume (same scenario, seed and replications), or move that folder away to \
                 start over",
            ));
        }
        let stamp = serde_json::json!({
            "written_by": "borderflow",
            "version": env!("CARGO_PKG_VERSION"),
            "command": command,
        });
        write_atomic(&dir.file(STAMP), format!("{stamp:#}\n").as_bytes())?;
        Ok(dir)
    }

    /// The folder files are written into until [`OutputDir::commit`].
    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Path of file `name` inside the staging folder.
    pub fn file(&self, name: &str) -> PathBuf {
        self.staging.join(name)
    }

    /// Whether the staging folder was found (an interrupted run to resume)
    /// rather than created by this writer.
    pub fn resumed(&self) -> bool {
        !self.created
    }

    /// Keeps the staging folder when dropped: it holds finished work.
    pub fn keep(&mut self) {
        self.keep = true;
    }

    /// Replaces the target with the completed results: an earlier result
    /// there (checked again: it must still be a folder borderflow wrote) is
    /// moved aside, the staging folder renamed into place, and the earlier
    /// one removed. If any step fails the complete results stay in the
    /// staging folder and the message says where.
    pub fn commit(mut self) -> Result<PathBuf> {
        self.keep = true;
        let kept = |what: String| {
            Error::Other(format!(
                "{what}; the complete results are kept in {} — move that folder where you want it",
                self.staging.display()
            ))
        };
        check_target(&self.target, &self.inputs).map_err(|e| kept(e.to_string()))?;
        let aside = self
            .parent
            .join(format!(".{}.old.{}", self.name, std::process::id()));
        let had_old = self.target.exists();
        if had_old {
            fs::rename(&self.target, &aside).map_err(|e| {
                kept(format!(
                    "cannot move the earlier results in {} aside: {e}",
                    self.target.display()
                ))
            })?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.target) {
            if had_old {
                let _ = fs::rename(&aside, &self.target);
            }
            return Err(kept(format!(
                "cannot rename it to {}: {e}",
                self.target.display()
            )));
        }
        let _ = fs::remove_file(self.target.join(LOCK));
        if had_old {
            // It held the stamp (checked above): a folder borderflow wrote.
            let _ = fs::remove_dir_all(&aside);
        }
        Ok(self.target.clone())
    }
}

impl Drop for OutputDir {
    /// Removes a staging folder this writer created and that holds no
    /// finished work (and the empty folders made for it); leaves every other.
    fn drop(&mut self) {
        if !self.keep {
            let _ = fs::remove_dir_all(&self.staging);
            for p in &self.made_parents {
                // Fails, harmlessly, on a folder that is not empty.
                let _ = fs::remove_dir(p);
            }
        }
    }
}

/// Writes `bytes` to `path` through a temporary file and a rename, so that a
/// reader never sees a partial file.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension(format!(
        "{}.tmp",
        path.extension().and_then(|e| e.to_str()).unwrap_or("")
    ));
    let result = (|| {
        let mut f = File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        Error::output(path, e)
    })
}

/// Replaces `path` with `bytes` through a temporary file and a rename, without
/// waiting for the disk: the file survives the process being killed at any
/// moment (the kernel has it), not a power cut. For the checkpoint, which is
/// rewritten after every replication.
pub fn write_replace(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = path.with_extension("tmp");
    fs::write(&tmp, bytes)
        .and_then(|()| fs::rename(&tmp, path))
        .map_err(|e| {
            let _ = fs::remove_file(&tmp);
            Error::output(path, e)
        })
}
