using System.Diagnostics.Metrics;
using Xunit;

namespace Cauchy.ServiceDefaults.Tests.Prometheus;

public sealed class PrometheusMetricsCollectorTests : IDisposable
{
    private readonly ExporterScope _scope = new(defaultBuckets: [1, 2.5]);

    public void Dispose() => _scope.Dispose();

    [Fact]
    public void Counter_is_exported_with_total_suffix_one_series_per_tag_set()
    {
        var meter = _scope.CreateMeter();
        var counter = meter.CreateCounter<long>("cauchy.jobs.submitted", unit: "{job}", description: "Jobs submitted.");
        counter.Add(3, new KeyValuePair<string, object?>("task", "detection"));
        counter.Add(2, new KeyValuePair<string, object?>("task", "classification"));
        counter.Add(4, new KeyValuePair<string, object?>("task", "detection"));
        counter.Add(1);

        Assert.Equal(
            """
            # HELP cauchy_jobs_submitted_total Jobs submitted.
            # TYPE cauchy_jobs_submitted_total counter
            cauchy_jobs_submitted_total 1
            cauchy_jobs_submitted_total{task="classification"} 2
            cauchy_jobs_submitted_total{task="detection"} 7

            """,
            _scope.Collect());
    }

    [Fact]
    public void Counter_ignores_negative_and_nan_increments()
    {
        var counter = _scope.CreateMeter().CreateCounter<double>("cauchy.bytes.read", unit: "By");
        counter.Add(1.5);
        counter.Add(-1);
        counter.Add(double.NaN);
        counter.Add(2);

        Assert.Equal(
            """
            # HELP cauchy_bytes_read_bytes_total cauchy.bytes.read
            # TYPE cauchy_bytes_read_bytes_total counter
            cauchy_bytes_read_bytes_total 3.5

            """,
            _scope.Collect());
    }

    [Fact]
    public void UpDownCounter_is_a_gauge_that_can_go_negative()
    {
        var gauge = _scope.CreateMeter().CreateUpDownCounter<int>("cauchy.leases.active", unit: "{lease}", description: "Leases held.");
        gauge.Add(5);
        gauge.Add(-7);

        Assert.Equal(
            """
            # HELP cauchy_leases_active Leases held.
            # TYPE cauchy_leases_active gauge
            cauchy_leases_active -2

            """,
            _scope.Collect());
    }

    [Fact]
    public void Histogram_uses_advised_buckets_cumulatively_with_inf_sum_and_count()
    {
        var histogram = _scope.CreateMeter().CreateHistogram(
            "cauchy.step.duration",
            unit: "s",
            description: "Training step time.",
            tags: null,
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.1, 0.5, 1] });
        var model = new KeyValuePair<string, object?>("model", "resnet18");
        histogram.Record(0.25, model);
        histogram.Record(0.5, model); // on a bound: buckets are "less than or equal"
        histogram.Record(0.75, model);
        histogram.Record(4, model);

        Assert.Equal(
            """
            # HELP cauchy_step_duration_seconds Training step time.
            # TYPE cauchy_step_duration_seconds histogram
            cauchy_step_duration_seconds_bucket{model="resnet18",le="0.1"} 0
            cauchy_step_duration_seconds_bucket{model="resnet18",le="0.5"} 2
            cauchy_step_duration_seconds_bucket{model="resnet18",le="1"} 3
            cauchy_step_duration_seconds_bucket{model="resnet18",le="+Inf"} 4
            cauchy_step_duration_seconds_sum{model="resnet18"} 5.5
            cauchy_step_duration_seconds_count{model="resnet18"} 4

            """,
            _scope.Collect());
    }

    [Fact]
    public void Histogram_without_advice_uses_the_default_buckets_and_drops_nan()
    {
        var histogram = _scope.CreateMeter().CreateHistogram<int>("cauchy.batch.size", unit: "{image}", description: "Images per batch.");
        histogram.Record(1);
        histogram.Record(2);
        histogram.Record(3);

        var longs = _scope.CreateMeter("other").CreateHistogram<double>("cauchy.nan.test");
        longs.Record(double.NaN);

        Assert.Equal(
            """
            # HELP cauchy_batch_size Images per batch.
            # TYPE cauchy_batch_size histogram
            cauchy_batch_size_bucket{le="1"} 1
            cauchy_batch_size_bucket{le="2.5"} 2
            cauchy_batch_size_bucket{le="+Inf"} 3
            cauchy_batch_size_sum 6
            cauchy_batch_size_count 3

            """,
            _scope.Collect());
    }

    [Fact]
    public void Observable_instruments_are_polled_at_each_scrape_and_unreported_series_disappear()
    {
        var meter = _scope.CreateMeter();
        var depth = new List<Measurement<double>> { new(3, new KeyValuePair<string, object?>("queue", "gpu")), new(1, new KeyValuePair<string, object?>("queue", "cpu")) };
        long shardsRead = 10;
        meter.CreateObservableGauge("cauchy.queue.depth", () => depth, unit: "{job}", description: "Jobs waiting.");
        meter.CreateObservableCounter("cauchy.shards.read", () => shardsRead, unit: "{shard}", description: "Shards read.");
        meter.CreateObservableUpDownCounter("cauchy.workers", () => 2, description: "Workers connected.");

        Assert.Equal(
            """
            # HELP cauchy_queue_depth Jobs waiting.
            # TYPE cauchy_queue_depth gauge
            cauchy_queue_depth{queue="cpu"} 1
            cauchy_queue_depth{queue="gpu"} 3
            # HELP cauchy_shards_read_total Shards read.
            # TYPE cauchy_shards_read_total counter
            cauchy_shards_read_total 10
            # HELP cauchy_workers Workers connected.
            # TYPE cauchy_workers gauge
            cauchy_workers 2

            """,
            _scope.Collect());

        depth = [new(5, new KeyValuePair<string, object?>("queue", "gpu"))];
        shardsRead = 25;

        Assert.Equal(
            """
            # HELP cauchy_queue_depth Jobs waiting.
            # TYPE cauchy_queue_depth gauge
            cauchy_queue_depth{queue="gpu"} 5
            # HELP cauchy_shards_read_total Shards read.
            # TYPE cauchy_shards_read_total counter
            cauchy_shards_read_total 25
            # HELP cauchy_workers Workers connected.
            # TYPE cauchy_workers gauge
            cauchy_workers 2

            """,
            _scope.Collect());
    }

    [Fact]
    public void A_failing_observable_callback_does_not_cost_the_other_metrics()
    {
        var meter = _scope.CreateMeter();
        meter.CreateObservableGauge<double>("cauchy.broken", (Func<double>)(() => throw new InvalidOperationException("sensor gone")));
        meter.CreateObservableGauge("cauchy.fine", () => double.NaN);

        Assert.Equal(
            """
            # HELP cauchy_fine cauchy.fine
            # TYPE cauchy_fine gauge
            cauchy_fine NaN

            """,
            _scope.Collect());
    }

    [Fact]
    public void Synchronous_gauge_keeps_the_last_value_between_scrapes()
    {
        var gauge = _scope.CreateMeter().CreateGauge<double>("cauchy.learning_rate", unit: "1", description: "Current learning rate.");
        gauge.Record(0.1);
        gauge.Record(0.05);
        var first = _scope.Collect();

        Assert.Equal(
            """
            # HELP cauchy_learning_rate_ratio Current learning rate.
            # TYPE cauchy_learning_rate_ratio gauge
            cauchy_learning_rate_ratio 0.05

            """,
            first);
        Assert.Equal(first, _scope.Collect());
    }

    [Fact]
    public void Label_values_are_escaped_and_help_text_too()
    {
        var counter = _scope.CreateMeter().CreateCounter<int>(
            "cauchy.files",
            unit: null,
            description: "Line one\nback\\slash \"quoted\"");
        counter.Add(1, new KeyValuePair<string, object?>("path", "C:\\data\n\"x\""));

        Assert.Equal(
            """
            # HELP cauchy_files_total Line one\nback\\slash "quoted"
            # TYPE cauchy_files_total counter
            cauchy_files_total{path="C:\\data\n\"x\""} 1

            """,
            _scope.Collect());
    }

    [Fact]
    public void Tags_are_sorted_sanitised_merged_on_collision_and_formatted_invariantly()
    {
        var counter = _scope.CreateMeter().CreateCounter<int>("cauchy.tags", description: "Tag handling.");
        counter.Add(
            1,
            new KeyValuePair<string, object?>("z", 0.1),
            new KeyValuePair<string, object?>("a_b", "2"),
            new KeyValuePair<string, object?>("a.b", "1"),
            new KeyValuePair<string, object?>("1st", true),
            new KeyValuePair<string, object?>("__name__", null),
            new KeyValuePair<string, object?>("count", 42));

        Assert.Equal(
            """
            # HELP cauchy_tags_total Tag handling.
            # TYPE cauchy_tags_total counter
            cauchy_tags_total{a_b="1;2",count="42",key_1st="true",key__name__="",z="0.1"} 1

            """,
            _scope.Collect());
    }

    [Fact]
    public void Same_tags_in_another_order_are_the_same_series()
    {
        var counter = _scope.CreateMeter().CreateCounter<int>("cauchy.order", description: "Order.");
        counter.Add(1, new("a", "1"), new("b", "2"));
        counter.Add(1, new("b", "2"), new("a", "1"));

        Assert.Equal(
            """
            # HELP cauchy_order_total Order.
            # TYPE cauchy_order_total counter
            cauchy_order_total{a="1",b="2"} 2

            """,
            _scope.Collect());
    }

    [Fact]
    public void A_user_le_tag_on_a_histogram_cannot_clash_with_the_bucket_label()
    {
        var histogram = _scope.CreateMeter().CreateHistogram<double>("cauchy.le", description: "le.");
        histogram.Record(2, new KeyValuePair<string, object?>("le", "mine"));

        Assert.Equal(
            """
            # HELP cauchy_le le.
            # TYPE cauchy_le histogram
            cauchy_le_bucket{key_le="mine",le="1"} 0
            cauchy_le_bucket{key_le="mine",le="2.5"} 1
            cauchy_le_bucket{key_le="mine",le="+Inf"} 1
            cauchy_le_sum{key_le="mine"} 2
            cauchy_le_count{key_le="mine"} 1

            """,
            _scope.Collect());
    }

    [Fact]
    public void Families_are_sorted_and_instruments_sharing_a_name_are_contiguous_first_series_wins()
    {
        var first = _scope.CreateMeter("first");
        var second = _scope.CreateMeter("second");
        second.CreateCounter<int>("z.last", description: "Last.").Add(1);
        first.CreateCounter<int>("shared.events", description: "From the first meter.").Add(1, new KeyValuePair<string, object?>("from", "first"));
        second.CreateCounter<int>("a.first", description: "First.").Add(1);
        second.CreateCounter<int>("shared.events", description: "From the second meter.").Add(5, new KeyValuePair<string, object?>("from", "second"));
        second.CreateCounter<int>("shared_events_total", description: "Duplicate.").Add(9, new KeyValuePair<string, object?>("from", "first"));

        Assert.Equal(
            """
            # HELP a_first_total First.
            # TYPE a_first_total counter
            a_first_total 1
            # HELP shared_events_total From the first meter.
            # TYPE shared_events_total counter
            shared_events_total{from="first"} 1
            shared_events_total{from="second"} 5
            # HELP z_last_total Last.
            # TYPE z_last_total counter
            z_last_total 1

            """,
            _scope.Collect());
    }

    [Fact]
    public void An_instrument_whose_name_is_taken_by_another_type_is_not_exported()
    {
        var meter = _scope.CreateMeter();
        meter.CreateCounter<int>("conflict", description: "The counter.").Add(1);
        meter.CreateObservableGauge("conflict_total", () => 7, description: "The gauge.");

        Assert.Equal(
            """
            # HELP conflict_total The counter.
            # TYPE conflict_total counter
            conflict_total 1

            """,
            _scope.Collect());
    }

    [Fact]
    public void Disposing_a_meter_removes_its_families()
    {
        var meter = _scope.CreateMeter("short-lived");
        meter.CreateCounter<int>("cauchy.gone").Add(1);
        Assert.Contains("cauchy_gone_total 1\n", _scope.Collect(), StringComparison.Ordinal);

        meter.Dispose();

        Assert.Equal(string.Empty, _scope.Collect());
    }

    [Fact]
    public void Meters_outside_the_prefixes_are_not_exported()
    {
        using var foreign = new Meter("Elsewhere." + Guid.NewGuid().ToString("N"));
        foreign.CreateCounter<int>("foreign.events").Add(1);

        Assert.Equal(string.Empty, _scope.Collect());
    }

    [Fact]
    public void All_numeric_instrument_types_are_recorded()
    {
        var meter = _scope.CreateMeter();
        meter.CreateCounter<byte>("t.byte").Add(1);
        meter.CreateCounter<short>("t.short").Add(2);
        meter.CreateCounter<int>("t.int").Add(3);
        meter.CreateCounter<long>("t.long").Add(4);
        meter.CreateCounter<float>("t.float").Add(0.5f);
        meter.CreateCounter<double>("t.double").Add(0.25);
        meter.CreateCounter<decimal>("t.decimal").Add(1.5m);

        var samples = _scope.Collect().Split('\n').Where(l => l.Length > 0 && l[0] != '#').ToArray();

        Assert.Equal(
            ["t_byte_total 1", "t_decimal_total 1.5", "t_double_total 0.25", "t_float_total 0.5", "t_int_total 3", "t_long_total 4", "t_short_total 2"],
            samples);
    }
}
