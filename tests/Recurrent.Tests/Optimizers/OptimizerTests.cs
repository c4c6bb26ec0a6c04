using Recurrent.Layers;
using Recurrent.Optimizers;
using Recurrent.Tensors;
using Recurrent.Tests.Support;

namespace Recurrent.Tests.Optimizers;

public class OptimizerTests
{
    private const int Rows = 5, Cols = 7; // 35 elements: whole vectors plus a scalar tail

    private static Parameter NewParameter(ulong seed, string name = "w")
        => new(name, new Tensor(Reference.RandomArray(Rows * Cols, seed), Rows, Cols));

    private static float[] Gradient(int step, ulong seed) => Reference.RandomArray(Rows * Cols, seed * 100 + (ulong)step, -2f, 2f);

    /// <summary>Runs the optimizer for <paramref name="steps"/> steps with deterministic gradients and compares with a double reference.</summary>
    private static void CompareWithReference(Optimizer optimizer, int steps, Func<int, double[], double[], double[]> referenceStep, double relative)
    {
        Parameter p = NewParameter(1);
        double[] theta = p.Value.Span.ToArray().Select(v => (double)v).ToArray();
        for (int t = 1; t <= steps; t++)
        {
            float[] g = Gradient(t, 2);
            g.CopyTo(p.Gradient.Span);
            optimizer.Step([p]);
            theta = referenceStep(t, theta, g.Select(v => (double)v).ToArray());
            Reference.AssertClose(theta, p.Value.Span, relative, absolute: 1e-6, what: $"θ after step {t}");
        }
        Assert.Equal(steps, optimizer.StepCount);
    }

    [Fact]
    public void SgdMatchesReference()
    {
        const double lr = 0.3;
        CompareWithReference(new Sgd((float)lr), 3, (_, theta, g) => theta.Select((v, i) => v - lr * g[i]).ToArray(), 1e-6);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void MomentumMatchesReference(bool nesterov)
    {
        const double lr = 0.1, mu = 0.9;
        var accum = new double[Rows * Cols];
        CompareWithReference(new Momentum((float)lr, (float)mu, nesterov), 4, (_, theta, g) =>
        {
            var next = new double[theta.Length];
            for (int i = 0; i < theta.Length; i++)
            {
                accum[i] = mu * accum[i] + g[i];
                next[i] = theta[i] - lr * (nesterov ? g[i] + mu * accum[i] : accum[i]);
            }
            return next;
        }, 1e-5);
    }

    [Fact]
    public void AdamMatchesPaperAlgorithm()
    {
        // Algorithm 1 of Kingma & Ba, written with the bias-corrected moments m̂ and v̂; the implementation uses
        // TF's folded step size, which equals Algorithm 1 with ε replaced by ε/sqrt(1 − β₂^t) (see below).
        const double lr = 0.01, b1 = 0.9, b2 = 0.999, eps = 1e-8;
        var m = new double[Rows * Cols];
        var v = new double[Rows * Cols];
        CompareWithReference(new Adam((float)lr, (float)b1, (float)b2, (float)eps), 4, (t, theta, g) =>
        {
            var next = new double[theta.Length];
            for (int i = 0; i < theta.Length; i++)
            {
                m[i] = b1 * m[i] + (1 - b1) * g[i];
                v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                double mHat = m[i] / (1 - Math.Pow(b1, t));
                double vHat = v[i] / (1 - Math.Pow(b2, t));
                // TF form: lr·sqrt(1−β₂^t)/(1−β₁^t)·m/(sqrt(v)+ε) = lr·m̂/(sqrt(v̂) + ε/sqrt(1−β₂^t)).
                next[i] = theta[i] - lr * mHat / (Math.Sqrt(vHat) + eps / Math.Sqrt(1 - Math.Pow(b2, t)));
            }
            return next;
        }, 1e-5);
    }

    [Fact]
    public void AdamFirstStepMovesEachWeightByTheLearningRate()
    {
        // With m̂ = g and v̂ = g² the first step is −lr·sign(g) (up to ε).
        Parameter p = NewParameter(3);
        float[] before = p.Value.Span.ToArray();
        float[] g = Gradient(1, 4);
        g.CopyTo(p.Gradient.Span);
        new Adam(0.01f).Step([p]);
        for (int i = 0; i < g.Length; i++)
            Assert.Equal(before[i] - 0.01 * Math.Sign(g[i]), p.Value.Span[i], 1e-6);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.5)]
    public void RmsPropMatchesTensorFlowReference(double mu)
    {
        const double lr = 0.01, rho = 0.9, eps = 1e-10;
        var ms = Enumerable.Repeat(1.0, Rows * Cols).ToArray(); // TF initialises the mean square to 1
        var mom = new double[Rows * Cols];
        CompareWithReference(new RmsProp((float)lr, (float)rho, (float)mu, (float)eps), 4, (_, theta, g) =>
        {
            var next = new double[theta.Length];
            for (int i = 0; i < theta.Length; i++)
            {
                ms[i] = rho * ms[i] + (1 - rho) * g[i] * g[i];
                mom[i] = mu * mom[i] + lr * g[i] / Math.Sqrt(ms[i] + eps);
                next[i] = theta[i] - mom[i];
            }
            return next;
        }, 1e-5);
    }

    public static TheoryData<string> OptimizerNames => new() { "sgd", "momentum", "nesterov", "adam", "rmsprop", "rmsprop-momentum" };

    private static Optimizer Create(string name) => name switch
    {
        "sgd" => new Sgd(0.1f),
        "momentum" => new Momentum(0.05f, 0.9f),
        "nesterov" => new Momentum(0.05f, 0.9f, nesterov: true),
        "adam" => new Adam(0.05f),
        "rmsprop" => new RmsProp(0.01f),
        "rmsprop-momentum" => new RmsProp(0.01f, momentum: 0.5f),
        _ => throw new ArgumentException(name),
    };

    [Theory, MemberData(nameof(OptimizerNames))]
    public void MinimisesAQuadratic(string name)
    {
        // f(θ) = ½ Σ a_i (θ_i − c_i)², a_i in [0.5, 2]: ∇f = a·(θ − c).
        float[] a = Reference.RandomArray(Rows * Cols, 5, 0.5f, 2f);
        float[] c = Reference.RandomArray(Rows * Cols, 6, -1f, 1f);
        Parameter p = NewParameter(7);
        double F()
        {
            double f = 0;
            for (int i = 0; i < a.Length; i++) f += 0.5 * a[i] * Math.Pow(p.Value.Span[i] - c[i], 2);
            return f;
        }
        Optimizer optimizer = Create(name);
        double initial = F();
        for (int step = 0; step < 300; step++)
        {
            for (int i = 0; i < a.Length; i++) p.Gradient.Span[i] = a[i] * (p.Value.Span[i] - c[i]);
            optimizer.Step([p]);
        }
        Assert.True(F() < 1e-3 * initial, $"{name}: f went from {initial} to {F()}");
    }

    [Fact]
    public void SparseSgdEqualsDenseSgd()
    {
        var embedding = new Embedding(20, 19); // 19 columns: rows do not start on vector boundaries
        Initializers.Uniform(embedding.Weight.Value, 0.5f, new RandomGenerator(8));
        var dense = new Parameter("dense", embedding.Weight.Value.Clone());
        var dy = new Tensor(Reference.RandomArray(4 * 19, 9), 4, 19);
        int[] ids = [3, 17, 3, 0];
        var sgd = new Sgd(0.7f);
        for (int step = 0; step < 3; step++)
        {
            ParameterGradients.Zero(embedding.Weight);
            dense.Gradient.Clear();
            embedding.Backward(ids, dy);
            embedding.Weight.Gradient.Span.CopyTo(dense.Gradient.Span);
            sgd.Step([embedding.Weight]);
            sgd.Step([dense]);
            Assert.Equal(dense.Value.Span.ToArray(), embedding.Weight.Value.Span.ToArray());
        }
    }

    [Theory, MemberData(nameof(OptimizerNames))]
    public void ExportedStateContinuesBitIdentically(string name)
    {
        Parameter p = NewParameter(10, "a"), q = new Parameter("b", new Tensor(Reference.RandomArray(9, 11), 9));
        Parameter[] ps = [p, q];
        Optimizer first = Create(name);
        void Run(Optimizer o, Parameter[] parameters, int from, int to)
        {
            for (int t = from; t < to; t++)
            {
                Gradient(t, 12).CopyTo(parameters[0].Gradient.Span);
                Reference.RandomArray(9, 1000 + (ulong)t).CopyTo(parameters[1].Gradient.Span);
                o.Step(parameters);
            }
        }
        Run(first, ps, 0, 3);
        // "Checkpoint": copies of parameters and optimizer state.
        Parameter[] restored = [new Parameter("a", p.Value.Clone()), new Parameter("b", q.Value.Clone())];
        var saved = first.StateTensors.Select(s => (s.Name, s.Value.Clone())).ToList();
        long steps = first.StepCount;

        Optimizer second = Create(name);
        second.LearningRate = first.LearningRate;
        second.LoadState(restored, saved, steps);
        Assert.Equal(first.StateTensors.Select(s => s.Name), second.StateTensors.Select(s => s.Name));

        Run(first, ps, 3, 6);
        Run(second, restored, 3, 6);
        Assert.Equal(p.Value.Span.ToArray(), restored[0].Value.Span.ToArray());
        Assert.Equal(q.Value.Span.ToArray(), restored[1].Value.Span.ToArray());
        Assert.Equal(first.StepCount, second.StepCount);
    }

    [Fact]
    public void StateNamesFollowParametersAndMismatchesAreReported()
    {
        Parameter p = NewParameter(13, "lstm.0.weight");
        var adam = new Adam();
        adam.EnsureState([p]);
        Assert.Equal(["lstm.0.weight/m", "lstm.0.weight/v"], adam.StateTensors.Select(s => s.Name));

        var other = new Adam();
        var missing = Assert.Throws<RecurrentException>(() => other.LoadState([p], [("lstm.0.weight/m", new Tensor(Rows, Cols))], 1));
        Assert.Contains("lstm.0.weight/v", missing.Message);
        var shape = Assert.Throws<RecurrentException>(() => other.LoadState([p],
            [("lstm.0.weight/m", new Tensor(Rows, Cols)), ("lstm.0.weight/v", new Tensor(Cols, Rows))], 1));
        Assert.Contains("shape", shape.Message);
        var extra = Assert.Throws<RecurrentException>(() => new Sgd(1f).LoadState([p], adam.StateTensors, 1));
        Assert.Contains("Sgd", extra.Message);
    }
}
