using System.Runtime.InteropServices;
using System.Text;

namespace Recurrent.Training;

/// <summary>
/// Writes files so that a reader (or a run killed half-way, or a full disk) never sees a partial one: the contents
/// go to a temporary file in the same folder, which is flushed to disk, renamed over the target, and then the
/// folder itself is flushed so that the rename survives a power cut.
/// </summary>
/// <remarks>
/// A rename within one folder replaces the target in one step on every file system we run on, so the target is
/// either the old file or the complete new one. Until the folder is flushed the rename may still be lost in a crash
/// (the old file comes back), which is why the folder is flushed too: on Linux with <c>open</c> and <c>fsync</c> on
/// the folder; elsewhere that step is skipped (Windows has no folder handle to flush; macOS's <c>fsync</c> does not
/// reach the disk anyway).
/// </remarks>
internal static partial class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> atomically: <paramref name="write"/> fills a fresh temporary file in the same
    /// folder (a seekable stream, positioned at 0), which is then flushed to disk and renamed over
    /// <paramref name="path"/>. Creates the folder if needed.
    /// </summary>
    /// <exception cref="RecurrentException">The file cannot be written (no space, a file-size limit, no permission,
    /// a read-only folder): the message names <paramref name="path"/> and the reason. The temporary file is deleted and
    /// a file already at <paramref name="path"/> is left as it was.</exception>
    /// <remarks>Exceptions that <paramref name="write"/> throws other than I/O errors pass through unchanged, after the
    /// temporary file is deleted.</remarks>
    public static void Write(string path, Action<FileStream> write)
    {
        ArgumentNullException.ThrowIfNull(path);
        ArgumentNullException.ThrowIfNull(write);
        string fullPath = Path.GetFullPath(path);
        string directory = Path.GetDirectoryName(fullPath)!;
        string temp = Path.Combine(directory, $".{Path.GetFileName(fullPath)}.{Guid.NewGuid():N}.tmp");
        try
        {
            Directory.CreateDirectory(directory);
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None, 1 << 16))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }
            File.Move(temp, fullPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException || IsFileTooLarge(e))
        {
            TryDelete(temp);
            string reason = e is ArgumentOutOfRangeException
                ? "the file would be larger than the file-size limit (ulimit -f) or the file system allows"
                : e.Message;
            string previous = File.Exists(fullPath) ? "the file already there is unchanged" : "nothing was written";
            throw new RecurrentException($"Cannot write '{fullPath}': {reason} ({previous}).", e);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
        FlushDirectory(directory);
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/> atomically (see <see cref="Write"/>).</summary>
    /// <exception cref="RecurrentException">The file cannot be written; the message names it.</exception>
    public static void WriteAllBytes(string path, ReadOnlyMemory<byte> bytes) => Write(path, stream => stream.Write(bytes.Span));

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> atomically as UTF-8 without a byte-order mark.</summary>
    /// <exception cref="RecurrentException">The file cannot be written; the message names it.</exception>
    public static void WriteAllText(string path, string text) => WriteAllBytes(path, Encoding.UTF8.GetBytes(text));

    /// <summary>
    /// Flushes a folder's entries (a rename, a new file) to disk. Linux only; a no-op elsewhere. Best effort: a
    /// file system that cannot flush folders (some network and FUSE ones) is not an error, since the data of the
    /// files themselves were already flushed.
    /// </summary>
    /// <returns>True when the folder was flushed.</returns>
    public static bool FlushDirectory(string directory)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            // O_RDONLY is 0 on every Linux architecture; O_DIRECTORY is not the same everywhere, and not needed to fsync.
            int fd = Open(directory, 0);
            if (fd < 0) return false;
            bool flushed = Fsync(fd) == 0;
            _ = Close(fd);
            return flushed;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false; // a libc without these names: the rename itself is done, only its durability is not forced
        }
    }

    /// <summary>
    /// .NET reports EFBIG (a write past RLIMIT_FSIZE or the file system's largest file) not as an
    /// <see cref="IOException"/> but as an <see cref="ArgumentOutOfRangeException"/> thrown from inside the file
    /// stream's writes; one thrown there is the operating system's refusal, not a bug in the caller.
    /// </summary>
    private static bool IsFileTooLarge(Exception e) =>
        e is ArgumentOutOfRangeException && e.StackTrace is { } trace
        && (trace.Contains("System.IO.RandomAccess.", StringComparison.Ordinal) || trace.Contains("System.IO.Strategies.", StringComparison.Ordinal));

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync")]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int Close(int fd);
}
