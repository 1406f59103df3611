//! SQLite's temporary files, kept in memory: the VFS bundled for WASI opens
//! only named files, so this one (made the default) answers SQLite's
//! requests for a nameless temporary file with a growable buffer and passes
//! every other call to the bundled VFS.
//!
//! With temporary files SQLite sorts as the `sqlite3` shell does: a large
//! sort (a `GROUP BY` or `ORDER BY` without an index) is cut into runs the
//! size of the page cache, each sorted in cache and written out, then merged.
//! Kept entirely in memory (`SQLITE_TEMP_STORE=3`) it sorts one linked list
//! of every row instead, which costs a third more CPU on a large table.

use std::ffi::c_void;
use std::os::raw::c_int;
use std::sync::Once;
use std::sync::atomic::{AtomicBool, AtomicPtr, Ordering};

use rusqlite::ffi;

/// An open temporary file: SQLite allocates `szOsFile` bytes for it and
/// this struct is written at their start.
#[repr(C)]
struct MemoryFile {
    /// SQLite's part: the methods table.
    base: ffi::sqlite3_file,
    /// The contents, owned (null once closed).
    data: *mut Vec<u8>,
}

/// The VFS wrapped: the bundled one (SQLite's default before ours).
static WRAPPED: AtomicPtr<ffi::sqlite3_vfs> = AtomicPtr::new(std::ptr::null_mut());

/// Set when a temporary file could not grow: SQLite reports that as a
/// disk I/O error, which here means the step's memory ran out.
static OUT_OF_MEMORY: AtomicBool = AtomicBool::new(false);

/// Whether a temporary file ran out of memory (SQLite then says "disk I/O
/// error").
pub fn ran_out_of_memory() -> bool {
    OUT_OF_MEMORY.load(Ordering::Relaxed)
}

/// Makes the in-memory temporary files part of the default VFS, once.
pub fn register() {
    static REGISTERED: Once = Once::new();
    REGISTERED.call_once(|| {
        // SAFETY: runs once, before any connection is opened and on the only
        // thread; the VFS is leaked, so it outlives every connection.
        unsafe {
            let wrapped = ffi::sqlite3_vfs_find(std::ptr::null());
            if wrapped.is_null() {
                return;
            }
            WRAPPED.store(wrapped, Ordering::Relaxed);
            let mut vfs = std::ptr::read(wrapped);
            vfs.szOsFile = vfs.szOsFile.max(std::mem::size_of::<MemoryFile>() as c_int);
            vfs.pNext = std::ptr::null_mut();
            vfs.zName = c"wasm-workflows-temp-in-memory".as_ptr();
            vfs.xOpen = Some(open);
            ffi::sqlite3_vfs_register(Box::leak(Box::new(vfs)), 1);
        }
    });
}

/// The bundled VFS's open for named files; a buffer for a nameless one.
unsafe extern "C" fn open(
    _vfs: *mut ffi::sqlite3_vfs,
    name: ffi::sqlite3_filename,
    file: *mut ffi::sqlite3_file,
    flags: c_int,
    out_flags: *mut c_int,
) -> c_int {
    // SAFETY (whole function): SQLite passes a file of szOsFile bytes and
    // valid (or null) pointers, as the VFS contract says.
    unsafe {
        let wrapped = WRAPPED.load(Ordering::Relaxed);
        if !name.is_null() {
            return match (*wrapped).xOpen {
                Some(open) => open(wrapped, name, file, flags, out_flags),
                None => ffi::SQLITE_CANTOPEN,
            };
        }
        let memory = file.cast::<MemoryFile>();
        (*memory).base.pMethods = &METHODS;
        (*memory).data = Box::into_raw(Box::new(Vec::new()));
        if !out_flags.is_null() {
            *out_flags = flags;
        }
        ffi::SQLITE_OK
    }
}

static METHODS: ffi::sqlite3_io_methods = ffi::sqlite3_io_methods {
    iVersion: 1,
    xClose: Some(close),
    xRead: Some(read),
    xWrite: Some(write),
    xTruncate: Some(truncate),
    xSync: Some(no_op),
    xFileSize: Some(file_size),
    xLock: Some(no_op),
    xUnlock: Some(no_op),
    xCheckReservedLock: Some(check_reserved_lock),
    xFileControl: Some(file_control),
    xSectorSize: Some(sector_size),
    xDeviceCharacteristics: Some(device_characteristics),
    xShmMap: None,
    xShmLock: None,
    xShmBarrier: None,
    xShmUnmap: None,
    xFetch: None,
    xUnfetch: None,
};

/// The contents of an open file.
///
/// # Safety
/// `file` is a `MemoryFile` opened by `open` and not yet closed.
unsafe fn contents<'a>(file: *mut ffi::sqlite3_file) -> &'a mut Vec<u8> {
    // SAFETY: as the caller promises.
    unsafe { &mut *(*file.cast::<MemoryFile>()).data }
}

unsafe extern "C" fn close(file: *mut ffi::sqlite3_file) -> c_int {
    // SAFETY: SQLite closes a file it opened once; the box is ours.
    unsafe {
        let memory = file.cast::<MemoryFile>();
        if !(*memory).data.is_null() {
            drop(Box::from_raw((*memory).data));
            (*memory).data = std::ptr::null_mut();
        }
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn read(file: *mut ffi::sqlite3_file, buffer: *mut c_void, amount: c_int, offset: i64) -> c_int {
    // SAFETY: an open file; `buffer` holds `amount` bytes.
    let (data, buffer) = unsafe {
        (contents(file), std::slice::from_raw_parts_mut(buffer.cast::<u8>(), usize::try_from(amount).unwrap_or(0)))
    };
    let start = usize::try_from(offset).unwrap_or(usize::MAX).min(data.len());
    let available = (data.len() - start).min(buffer.len());
    buffer[..available].copy_from_slice(&data[start..start + available]);
    if available < buffer.len() {
        // As the VFS contract asks: the missing part zero-filled.
        buffer[available..].fill(0);
        return ffi::SQLITE_IOERR_SHORT_READ;
    }
    ffi::SQLITE_OK
}

unsafe extern "C" fn write(file: *mut ffi::sqlite3_file, buffer: *const c_void, amount: c_int, offset: i64) -> c_int {
    // SAFETY: an open file; `buffer` holds `amount` bytes.
    let (data, bytes) = unsafe {
        (contents(file), std::slice::from_raw_parts(buffer.cast::<u8>(), usize::try_from(amount).unwrap_or(0)))
    };
    let Ok(start) = usize::try_from(offset) else { return ffi::SQLITE_IOERR_WRITE };
    let end = start + bytes.len();
    if end > data.len() {
        // Out of memory is SQLite's out of memory (the step says so), not an abort.
        let more = end - data.len();
        if data.try_reserve(more).is_err() && data.try_reserve_exact(more).is_err() {
            OUT_OF_MEMORY.store(true, Ordering::Relaxed);
            return ffi::SQLITE_IOERR_NOMEM;
        }
        data.resize(end, 0);
    }
    data[start..end].copy_from_slice(bytes);
    ffi::SQLITE_OK
}

unsafe extern "C" fn truncate(file: *mut ffi::sqlite3_file, size: i64) -> c_int {
    // SAFETY: an open file.
    let data = unsafe { contents(file) };
    data.truncate(usize::try_from(size).unwrap_or(0));
    ffi::SQLITE_OK
}

unsafe extern "C" fn file_size(file: *mut ffi::sqlite3_file, size: *mut i64) -> c_int {
    // SAFETY: an open file; `size` is an out-pointer.
    unsafe { *size = contents(file).len() as i64 };
    ffi::SQLITE_OK
}

unsafe extern "C" fn no_op(_file: *mut ffi::sqlite3_file, _flags: c_int) -> c_int {
    ffi::SQLITE_OK
}

unsafe extern "C" fn check_reserved_lock(_file: *mut ffi::sqlite3_file, reserved: *mut c_int) -> c_int {
    // SAFETY: an out-pointer.
    unsafe { *reserved = 0 };
    ffi::SQLITE_OK
}

unsafe extern "C" fn file_control(_file: *mut ffi::sqlite3_file, _op: c_int, _argument: *mut c_void) -> c_int {
    ffi::SQLITE_NOTFOUND
}

unsafe extern "C" fn sector_size(_file: *mut ffi::sqlite3_file) -> c_int {
    4096
}

unsafe extern "C" fn device_characteristics(_file: *mut ffi::sqlite3_file) -> c_int {
    0
}
