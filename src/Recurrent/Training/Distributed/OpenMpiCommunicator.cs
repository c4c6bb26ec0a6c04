using System.Diagnostics.CodeAnalysis;
using System.Runtime.InteropServices;

namespace Recurrent.Training.Distributed;

/// <summary>
/// <see cref="ICommunicator"/> over Open MPI's <c>MPI_COMM_WORLD</c>, through the nine C calls it needs, bound at run
/// time: <c>MPI_Init_thread</c>, <c>MPI_Comm_rank</c>, <c>MPI_Comm_size</c>, <c>MPI_Allreduce</c>, <c>MPI_Bcast</c>,
/// <c>MPI_Barrier</c>, <c>MPI_Abort</c>, <c>MPI_Finalize</c> and <c>MPI_Error_string</c>.
/// </summary>
/// <remarks>
/// <para>Nothing refers to <c>libmpi</c> at build time: the library is loaded only when the process was started by
/// <c>mpirun</c> (<see cref="Cluster"/>), so the tool runs without MPI installed. MPI.NET 1.4.0 is not used: it binds
/// MS-MPI's <c>msmpi.dll</c>, whose handles are integer constants, and crashes on Open MPI's.</para>
/// <para>In Open MPI's ABI the handles are pointers: <c>MPI_COMM_WORLD</c>, <c>MPI_FLOAT</c>, <c>MPI_DOUBLE</c>,
/// <c>MPI_BYTE</c> and <c>MPI_SUM</c> are the addresses of the exported globals <c>ompi_mpi_comm_world</c>,
/// <c>ompi_mpi_float</c>… and <c>MPI_IN_PLACE</c> is <c>(void*)1</c>. A library without those globals (MPICH, whose
/// handles are integers) is refused with a message rather than called with wrong handles.</para>
/// <para>The library is opened with <c>RTLD_GLOBAL</c>: Open MPI builds whose plugins (<c>mca_*.so</c>) are not linked
/// against <c>libmpi</c> resolve its symbols from the global scope. Debian's works either way (checked with Open MPI
/// 4.1.4), but the global scope costs nothing. Open MPI leaves the runtime's SIGSEGV handler in place, so .NET null
/// reference exceptions still work after <c>MPI_Init</c> (checked too).</para>
/// <para>The world communicator keeps MPI's default error handler, <c>MPI_ERRORS_ARE_FATAL</c>: a failed MPI call
/// aborts the whole job rather than returning, so no rank is left waiting.</para>
/// <para>Calls are made one at a time (a lock), from any thread: MPI is initialised at <c>MPI_THREAD_SERIALIZED</c>.</para>
/// </remarks>
internal sealed unsafe partial class OpenMpiCommunicator : ICommunicator
{
    /// <summary>Overrides the library to load (a path or a name); by default <c>libmpi.so.40</c> (Open MPI 3 to 5), then <c>libmpi.so</c>.</summary>
    public const string LibraryVariable = "RECURRENT_MPI_LIBRARY";

    private const int ThreadSerialized = 2; // MPI_THREAD_SERIALIZED in Open MPI's mpi.h
    private const int MaxErrorString = 256; // MPI_MAX_ERROR_STRING
    private const int MaxCount = 1 << 30;   // elements per call: MPI counts are C ints

    private static readonly nint InPlace = 1; // MPI_IN_PLACE

    private readonly object _gate = new();
    private readonly nint _world, _float, _double, _byte, _sum;
    private readonly delegate* unmanaged<nint, nint, int, nint, nint, nint, int> _allreduce;
    private readonly delegate* unmanaged<nint, int, nint, int, nint, int> _bcast;
    private readonly delegate* unmanaged<nint, int> _barrier;
    private readonly delegate* unmanaged<nint, int, int> _abort;
    private readonly delegate* unmanaged<int> _finalize;
    private readonly delegate* unmanaged<int, byte*, int*, int> _errorString;
    private bool _finished;

    private OpenMpiCommunicator(nint library, string name)
    {
        _world = Symbol(library, name, "ompi_mpi_comm_world");
        _float = Symbol(library, name, "ompi_mpi_float");
        _double = Symbol(library, name, "ompi_mpi_double");
        _byte = Symbol(library, name, "ompi_mpi_byte");
        _sum = Symbol(library, name, "ompi_mpi_op_sum");
        var init = (delegate* unmanaged<int*, byte***, int, int*, int>)Symbol(library, name, "MPI_Init_thread");
        var commRank = (delegate* unmanaged<nint, int*, int>)Symbol(library, name, "MPI_Comm_rank");
        var commSize = (delegate* unmanaged<nint, int*, int>)Symbol(library, name, "MPI_Comm_size");
        _allreduce = (delegate* unmanaged<nint, nint, int, nint, nint, nint, int>)Symbol(library, name, "MPI_Allreduce");
        _bcast = (delegate* unmanaged<nint, int, nint, int, nint, int>)Symbol(library, name, "MPI_Bcast");
        _barrier = (delegate* unmanaged<nint, int>)Symbol(library, name, "MPI_Barrier");
        _abort = (delegate* unmanaged<nint, int, int>)Symbol(library, name, "MPI_Abort");
        _finalize = (delegate* unmanaged<int>)Symbol(library, name, "MPI_Finalize");
        _errorString = (delegate* unmanaged<int, byte*, int*, int>)Symbol(library, name, "MPI_Error_string");

        int provided, rank, size;
        Check(init(null, null, ThreadSerialized, &provided), "MPI_Init_thread");
        if (provided < ThreadSerialized)
            throw new RecurrentException($"{name} provides MPI thread level {provided}; training needs MPI_THREAD_SERIALIZED ({ThreadSerialized}).");
        Check(commRank(_world, &rank), "MPI_Comm_rank");
        Check(commSize(_world, &size), "MPI_Comm_size");
        Rank = rank;
        Size = size;
        Library = name;
    }

    /// <summary>Loads Open MPI and initialises it (<c>MPI_Init_thread</c>); call once per process.</summary>
    /// <exception cref="RecurrentException">The library cannot be loaded, is not Open MPI's, or does not initialise.</exception>
    public static OpenMpiCommunicator Initialize()
    {
        string? configured = Environment.GetEnvironmentVariable(LibraryVariable);
        string[] candidates = string.IsNullOrEmpty(configured) ? ["libmpi.so.40", "libmpi.so"] : [configured];
        var errors = new List<string>();
        foreach (string candidate in candidates)
        {
            nint library = Open(candidate, out string? error);
            if (library != 0) return new OpenMpiCommunicator(library, candidate);
            errors.Add(error ?? candidate);
        }
        throw new RecurrentException(
            $"This process was started by mpirun, but Open MPI's library could not be loaded ({string.Join("; ", errors)}). " +
            $"Install Open MPI (Debian: apt-get install openmpi-bin) or name the library in {LibraryVariable}.");
    }

    /// <summary>The library that was loaded.</summary>
    public string Library { get; }

    public int Rank { get; }

    public int Size { get; }

    public void AllReduceSum(Span<float> values)
    {
        lock (_gate)
            fixed (float* p = values)
                for (int start = 0; start < values.Length; start += MaxCount)
                    Check(_allreduce(InPlace, (nint)(p + start), Math.Min(MaxCount, values.Length - start), _float, _sum, _world), "MPI_Allreduce");
    }

    public void AllReduceSum(Span<double> values)
    {
        lock (_gate)
            fixed (double* p = values)
                for (int start = 0; start < values.Length; start += MaxCount)
                    Check(_allreduce(InPlace, (nint)(p + start), Math.Min(MaxCount, values.Length - start), _double, _sum, _world), "MPI_Allreduce");
    }

    public void Broadcast(Span<byte> data, int root)
    {
        if ((uint)root >= (uint)Size) throw new ArgumentOutOfRangeException(nameof(root), root, $"Ranks are 0 .. {Size - 1}.");
        lock (_gate)
            fixed (byte* p = data)
                for (int start = 0; start < data.Length; start += MaxCount)
                    Check(_bcast((nint)(p + start), Math.Min(MaxCount, data.Length - start), _byte, root, _world), "MPI_Bcast");
    }

    public void Barrier()
    {
        lock (_gate) Check(_barrier(_world), "MPI_Barrier");
    }

    [DoesNotReturn]
    public void Abort(int errorCode)
    {
        Console.Out.Flush();
        Console.Error.Flush();
        // Not under the lock: a rank that fails while another thread waits in a collective call must still abort.
        _abort(_world, errorCode);
        Environment.Exit(errorCode); // MPI_Abort does not return; in case it does
        throw new InvalidOperationException("unreachable");
    }

    public void Finish()
    {
        lock (_gate)
        {
            if (_finished) return;
            _finished = true;
            Check(_finalize(), "MPI_Finalize");
        }
    }

    private void Check(int code, string call)
    {
        if (code == 0) return;
        byte* text = stackalloc byte[MaxErrorString + 1];
        int length = 0;
        string message = _errorString(code, text, &length) == 0 ? Marshal.PtrToStringUTF8((nint)text, Math.Clamp(length, 0, MaxErrorString)) : $"error {code}";
        throw new RecurrentException($"{call} failed on rank {Rank}: {message}.");
    }

    private static nint Symbol(nint library, string name, string symbol) =>
        NativeLibrary.TryGetExport(library, symbol, out nint address)
            ? address
            : throw new RecurrentException(symbol.StartsWith("ompi_", StringComparison.Ordinal)
                ? $"{name} exports no {symbol}: it is not Open MPI's library. Only Open MPI is supported (MPICH's handles are integers, not addresses); name Open MPI's libmpi in {LibraryVariable}."
                : $"{name} exports no {symbol}; is it an MPI library?");

    /// <summary>dlopen with RTLD_NOW | RTLD_GLOBAL on Linux; the runtime's loader elsewhere.</summary>
    private static nint Open(string name, out string? error)
    {
        error = null;
        if (OperatingSystem.IsLinux())
        {
            nint handle = DlOpen(name, RtldNow | RtldGlobal);
            if (handle == 0) error = Marshal.PtrToStringUTF8(DlError()) ?? name;
            return handle;
        }
        if (NativeLibrary.TryLoad(name, out nint loaded)) return loaded;
        error = $"{name} not found";
        return 0;
    }

    private const int RtldNow = 0x002, RtldGlobal = 0x100; // glibc's dlfcn.h

    [LibraryImport("libc", EntryPoint = "dlopen", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint DlOpen(string file, int mode);

    [LibraryImport("libc", EntryPoint = "dlerror")]
    private static partial nint DlError();
}
