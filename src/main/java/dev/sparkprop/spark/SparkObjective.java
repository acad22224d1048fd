package dev.sparkprop.spark;

import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Checks;
import dev.sparkprop.nn.Doubles;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.nn.Workspace;
import dev.sparkprop.optim.OptimizerState;
import dev.sparkprop.train.Batch;
import dev.sparkprop.train.LocalSgd;
import dev.sparkprop.train.Metrics;
import dev.sparkprop.train.Objective;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.function.BiConsumer;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function2;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.TaskContext;
import org.apache.spark.storage.StorageLevel;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * The {@link Objective} that runs on Spark. Each call broadcasts the flat parameter vector,
 * runs forward and backward over every cached block (through its thread's reused
 * {@link Workspace}), sums gradient, loss and row count over the partitions (see
 * {@link #pass}), divides by the row count on the driver and destroys the broadcast. It holds
 * no formula: the math is {@link Network}'s.
 *
 * <p>A mini-batch step is the same broadcast and sum, over the batch's rows only. At an epoch's
 * first step each task deals its partition's rows to the epoch's batches by their row ids
 * ({@link Batch.Deal}: one hash per row, no shuffle) and keeps the deal in its executor for the
 * epoch's later steps; every step then gathers the partition's rows of the batch into one
 * contiguous block in reused buffers ({@link Batch.Gather}) and runs one set of products on it,
 * so a step costs O(rows of the batch + parameters), never O(all rows). If a partition's task
 * runs on an executor without its deal (a lost or new executor), the deal is made again there:
 * it depends only on the seed and the row ids. A partition without rows in the batch sends
 * back an empty sum.
 *
 * <p>A round of local SGD ({@link #localRound}) is one job too: each task takes the round's
 * steps on its partition's rows ({@link LocalSgd#replica}) from the broadcast parameters and
 * optimizer state, and the replicas' weighted sums come back.
 *
 * <p>Where Spark allows, an epoch's steps and rounds run instead in one job that stays with
 * the rows for the whole epoch ({@link #openEpoch}, {@link StepExchange}): the same tasks'
 * arithmetic, without a job per step.
 *
 * <p>The blocks are persisted (MEMORY_AND_DISK) on construction unless the caller already
 * persisted them; {@link #close()} unpersists only what this object persisted.
 */
public final class SparkObjective implements Objective, AutoCloseable {
  private final JavaSparkContext sc;
  private final JavaRDD<Block> blocks;
  private final NetworkSpec spec;
  private final int depth;
  private final boolean ownsCache;
  private final long rows;
  private final boolean rowIds;
  /** Names this objective's deals in the executors' {@link #DEALS}. */
  private final String id = java.util.UUID.randomUUID().toString();

  /**
   * Each executor's deals of the current epoch, by objective and partition: at most a few
   * integers per cached row, replaced at the next epoch; the oldest go first beyond 4,096.
   */
  private static final java.util.Map<String, Batch.Deal> DEALS = java.util.Collections
      .synchronizedMap(new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(java.util.Map.Entry<String, Batch.Deal> e) {
          return size() > 4096;
        }
      });

  public SparkObjective(JavaRDD<Block> blocks, NetworkSpec spec, int aggregationDepth) {
    Checks.arg(aggregationDepth >= 1, "aggregation depth must be >= 1, got %s", aggregationDepth);
    this.sc = JavaSparkContext.fromSparkContext(blocks.context());
    this.spec = spec;
    this.depth = aggregationDepth;
    this.ownsCache = blocks.getStorageLevel().equals(StorageLevel.NONE());
    this.blocks = ownsCache ? blocks.persist(StorageLevel.MEMORY_AND_DISK()) : blocks;
    // Counting materialises the cache, so the first epoch is not charged for stacking. A
    // block without row ids counts negative, so one pass also tells whether all have them.
    long[] counts = this.blocks.map(b -> new long[] {b.rows, b.rowIds == null ? 1 : 0})
        .fold(new long[2], (a, b) -> new long[] {a[0] + b[0], a[1] + b[1]});
    this.rows = counts[0];
    this.rowIds = counts[1] == 0;
    Checks.arg(rows > 0, "the training data is empty");
  }

  /** The cached blocks (for tests and benchmarks). */
  public JavaRDD<Block> blocks() {
    return blocks;
  }

  @Override
  public long numRows() {
    return rows;
  }

  @Override
  public double lossAndGradient(double[] params, double[] gradient) {
    GradientSum sum = aggregate(params, true);
    Checks.state(sum.rows == rows, "gradient pass saw %s rows, expected %s", sum.rows, rows);
    if (sum.gradient == null) {
      Arrays.fill(gradient, 0.0);
    } else {
      double inv = 1.0 / rows;
      for (int i = 0; i < gradient.length; i++) {
        gradient[i] = sum.gradient[i] * inv;
      }
    }
    return sum.loss / rows;
  }

  @Override
  public BatchLoss lossAndGradient(double[] params, Batch batch, double[] gradient) {
    Checks.arg(rowIds || batch.count() == 1,
        "mini-batches need row ids in every block; stack the blocks with BlockStacker");
    final String id = this.id;
    return pass(new Doubles(params), GradientSum.zero(),
        (network, w, it) -> partitionBatchSum(network, w.get(0), it, batch, id),
        GradientSum::merge).meanInto(gradient);
  }

  @Override
  public LocalSgd.Sum localRound(double[] params, OptimizerState.Snapshot state,
      LocalSgd.Round round) {
    Checks.arg(rowIds || round.count() == 1,
        "local SGD needs row ids in every block; stack the blocks with BlockStacker");
    // The parameters and the state's arrays travel as one broadcast; the names and the step
    // count are a few bytes in the closure.
    RoundState start = RoundState.of(state);
    final String id = this.id;
    return pass(new Doubles(start.arrays(params, state)), LocalSgd.Sum.zero(),
        (network, w, it) -> {
          List<Block> part = blocksOf(it);
          if (part.isEmpty()) {
            return Collections.emptyIterator();
          }
          Batch.Deal deal = dealOf(id, part, round.seed(), round.count());
          return Collections.singletonList(LocalSgd.replica(round, network, w.get(0),
              start.snapshot(w::get), part, deal)).iterator();
        }, LocalSgd.Sum::merge);
  }

  /**
   * The epoch's steps in one Spark job ({@link StepExchange}) where Spark allows it:
   * {@value #EXCHANGE_KEY} is not {@code jobs}, every block has row ids, there are at least
   * two batches, at most as many partitions as task slots, no dynamic allocation and, where the
   * exchange uses sockets, no network encryption (its sockets are plain). Otherwise, and after
   * the exchange once failed to open, one job per step. An epoch whose exchange loses a task
   * goes on with one job per step from the failed step.
   */
  @Override
  public EpochSteps openEpoch(long seed, int count) {
    EpochSteps jobs = Objective.super.openEpoch(seed, count);
    String off = count < 2 ? "one batch" : exchangeOff();
    if (off != null) {
      if (off.equals(tooFewSlots()) && !slotsWarned) {
        slotsWarned = true;
        LOG.warn("sparkprop: mini-batch steps run one Spark job each: {}", off);
      }
      return jobs;
    }
    StepExchange exchange;
    try {
      exchange = StepExchange.open(blocks, spec, seed, count, transport(),
          "sparkprop: an epoch's " + count + " steps over " + blocks.getNumPartitions()
          + " tasks");
    } catch (StepExchange.Unavailable e) {
      exchangeFailure = e.getMessage();
      LOG.warn("sparkprop: mini-batch steps run one Spark job each (the step exchange is off: "
          + "{})", e.getMessage());
      return jobs;
    }
    exchangedEpochs++;
    return new EpochSteps() {
      private boolean viaJobs;

      @Override
      public BatchLoss lossAndGradient(double[] params, int batch, double[] gradient) {
        if (!viaJobs) {
          try {
            return exchange.lossAndGradient(params, batch, gradient);
          } catch (StepExchange.Lost e) {
            fellBack(e);
          }
        }
        return jobs.lossAndGradient(params, batch, gradient);
      }

      @Override
      public LocalSgd.Sum localRound(double[] params, OptimizerState.Snapshot state,
          LocalSgd.Round round) {
        if (!viaJobs) {
          try {
            return exchange.localRound(params, state, round);
          } catch (StepExchange.Lost e) {
            fellBack(e);
          }
        }
        return jobs.localRound(params, state, round);
      }

      private void fellBack(StepExchange.Lost e) {
        viaJobs = true;
        LOG.warn("sparkprop: {}; the epoch goes on with one Spark job per step",
            e.getMessage());
      }

      @Override
      public void close() {
        exchange.close();
      }
    };
  }

  /**
   * Spark configuration, or a local property of the thread that trains (which wins): {@code
   * auto} (the default: the step exchange, in-JVM in local mode, over sockets on a cluster),
   * {@code sockets} (over sockets in local mode too: what a cluster's transport costs) or
   * {@code jobs} (one Spark job per step or round).
   */
  public static final String EXCHANGE_KEY = "spark.sparkprop.stepExchange";

  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(
      SparkObjective.class);

  /** Whether the warning about more partitions than task slots was logged. */
  private boolean slotsWarned;

  /** Epochs whose steps began in a step exchange (tests). */
  int exchangedEpochs;

  /** Why the exchange failed to open once (then it is not tried again), or null. */
  private String exchangeFailure;

  /** The exchange mode: auto, sockets or jobs (checked). */
  private String exchangeMode() {
    String value = sc.getLocalProperty(EXCHANGE_KEY);
    if (value == null) {
      value = sc.getConf().get(EXCHANGE_KEY, "auto");
    }
    String mode = value.trim().toLowerCase(java.util.Locale.ROOT);
    Checks.arg(mode.equals("auto") || mode.equals("sockets") || mode.equals("jobs"),
        "%s must be auto, sockets or jobs, got '%s'", EXCHANGE_KEY, value);
    return mode;
  }

  /** How the exchange's messages travel: in this JVM in local mode unless sockets are asked. */
  StepExchange.Transport transport() {
    return sc.sc().isLocal() && exchangeMode().equals("auto") ? StepExchange.Transport.IN_JVM
        : StepExchange.Transport.SOCKETS;
  }

  /** Why this objective takes one job per step, or null when the exchange may run. */
  String exchangeOff() {
    org.apache.spark.SparkConf conf = sc.getConf();
    if (exchangeMode().equals("jobs")) {
      return EXCHANGE_KEY + "=jobs";
    }
    if (!rowIds) {
      return "blocks without row ids";
    }
    if (exchangeFailure != null) {
      return exchangeFailure;
    }
    if (conf.getBoolean("spark.dynamicAllocation.enabled", false)) {
      return "dynamic allocation (Spark runs no barrier stage with it)";
    }
    if (transport() == StepExchange.Transport.SOCKETS
        && (conf.getBoolean("spark.network.crypto.enabled", false)
        || conf.getBoolean("spark.ssl.enabled", false))) {
      return "network encryption is on and the exchange's sockets are plain";
    }
    return tooFewSlots();
  }

  /** Why a barrier stage over the blocks cannot start: more partitions than slots; or null. */
  private String tooFewSlots() {
    int slots = sc.sc().defaultParallelism()
        / Math.max(1, sc.getConf().getInt("spark.task.cpus", 1));
    if (blocks.getNumPartitions() <= slots) {
      return null;
    }
    return blocks.getNumPartitions() + " partitions, more than the " + slots
        + " task slots (set partitions to at most " + slots + " for one job per epoch)";
  }

  @Override
  public double loss(double[] params) {
    return aggregate(params, false).loss / rows;
  }

  @Override
  public Metrics evaluate(double[] params, Metrics.Spec metricsSpec) {
    return pass(new Doubles(params), metricsSpec.newMetrics(), (network, d, it) -> {
      Metrics m = metricsSpec.newMetrics();
      double[] w = d.get(0);
      forEachBlock(network, it, (b, ws) -> {
        double loss = network.loss(w, b, ws);
        m.add(network.outputs(ws), b.y, b.targetWidth, b.rows, loss);
      });
      return Collections.singletonList(m).iterator();
    }, Metrics::merge);
  }

  private GradientSum aggregate(double[] params, boolean withGradient) {
    return pass(new Doubles(params), GradientSum.zero(), (network, d, it) -> {
      if (!it.hasNext()) {
        return Collections.emptyIterator();
      }
      double[] w = d.get(0);
      GradientSum sum = new GradientSum(withGradient ? new double[w.length] : null, 0.0, 0L);
      forEachBlock(network, it, (b, ws) -> {
        sum.loss += withGradient ? network.lossAndGradient(w, b, ws, sum.gradient)
            : network.loss(w, b, ws);
        sum.rows += b.rows;
      });
      return Collections.singletonList(sum).iterator();
    }, GradientSum::merge);
  }

  /** What one task does with its partition's blocks at the broadcast parameters. */
  private interface PartitionTask<A> extends Serializable {
    Iterator<A> run(Network network, Doubles params, Iterator<Block> blocks);
  }

  /**
   * One pass over the cached blocks at {@code params} (the parameters first, then any
   * optimizer state, as raw bytes): broadcast them, let every task reduce
   * its partition to at most one partial result, merge those from {@code zero}, destroy the
   * broadcast.
   *
   * <p>With few partitions, where {@code treeAggregate} would add no level (at most 5 for depth
   * 2), the pass is one plain job: the tasks' results come back in an array and are merged on
   * the driver in partition order, so the sum's rounding does not depend on which task finishes
   * first. It also spares the driver the per-job work of {@code treeAggregate} and
   * {@code fold}, whose Scala closures Spark's ClosureCleaner inspects by reading and parsing
   * RDD's class file on every call (on the benchmark's 2-core machine the driver's time between
   * two image epochs' jobs fell from 34 to 18 ms). With more partitions {@code treeAggregate}
   * builds its tree as before.
   */
  private <A> A pass(Doubles params, A zero, PartitionTask<A> task, Function2<A, A, A> merge) {
    Checks.arg(params.get(0).length == spec.numParams(),
        "parameter vector has %s values, the network needs %s", params.get(0).length,
        spec.numParams());
    Broadcast<Doubles> weights = sc.broadcast(params);
    try {
      final NetworkSpec spec = this.spec;
      if (treeAddsLevel(blocks.getNumPartitions(), depth)) {
        return blocks.mapPartitions(it -> task.run(new Network(spec), weights.value(), it))
            .treeAggregate(zero, merge, merge, depth);
      }
      scala.Function2<TaskContext, scala.collection.Iterator<Block>, Object> partition =
          (scala.Function2<TaskContext, scala.collection.Iterator<Block>, Object> & Serializable)
          (context, it) -> {
            Iterator<A> r = task.run(new Network(spec), weights.value(),
                CollectionConverters.asJava(it));
            return r.hasNext() ? r.next() : null;
          };
      Object[] results = (Object[]) sc.sc().runJob(blocks.rdd(), partition,
          ClassTag$.MODULE$.AnyRef());
      A sum = zero;
      for (Object r : results) {
        if (r != null) {
          @SuppressWarnings("unchecked")
          A a = (A) r;
          sum = merge.call(sum, a);
        }
      }
      return sum;
    } catch (Exception e) {
      throw e instanceof RuntimeException re ? re : new IllegalStateException(e);
    } finally {
      weights.destroy();
    }
  }

  /** Whether Spark's treeAggregate would add a level for this many partitions (its rule). */
  static boolean treeAddsLevel(int partitions, int depth) {
    int scale = Math.max((int) Math.ceil(Math.pow(partitions, 1.0 / depth)), 2);
    return partitions > scale + Math.ceil(partitions / (double) scale);
  }

  /** Runs {@code step} on each remaining block, with this thread's reused workspace. */
  private static void forEachBlock(Network network, Iterator<Block> it,
      BiConsumer<Block, Workspace> step) {
    while (it.hasNext()) {
      Block b = it.next();
      step.accept(b, Workspace.forThread(network.spec(), b.rows));
    }
  }

  /**
   * One task of a mini-batch step: the partition's rows of {@code batch}, gathered into one
   * block, into one sum.
   */
  private static Iterator<GradientSum> partitionBatchSum(Network network, double[] params,
      Iterator<Block> it, Batch batch, String id) {
    List<Block> part = blocksOf(it);
    if (part.isEmpty()) {
      return Collections.emptyIterator();
    }
    return Collections.singletonList(batchSum(network, params, part,
        dealOf(id, part, batch.seed(), batch.count()), batch.index(), null)).iterator();
  }

  /**
   * The gradient sum of the partition's rows of batch {@code index} ({@code part}, dealt by
   * {@code deal}) at {@code params}, gathered into one block: into {@code into} (zeroed here),
   * or a new array when it is null or of another length; {@link GradientSum#zero()} when the
   * partition holds none of the batch's rows. One step's work in a task, whether the step is
   * its own job or a message of the step exchange.
   */
  static GradientSum batchSum(Network network, double[] params, List<Block> part,
      Batch.Deal deal, int index, double[] into) {
    Block b = deal.gather(part, index, Batch.Gather.forThread());
    if (b == null) {
      return GradientSum.zero();
    }
    double[] gradient = into;
    if (gradient == null || gradient.length != params.length) {
      gradient = new double[params.length];
    } else {
      Arrays.fill(gradient, 0.0);
    }
    GradientSum sum = new GradientSum(gradient, 0.0, b.rows);
    sum.loss = network.lossAndGradient(params, b, Workspace.forThread(network.spec(), b.rows),
        gradient);
    return sum;
  }

  /** The partition's cached blocks, in order (references, no copies). */
  static List<Block> blocksOf(Iterator<Block> it) {
    List<Block> part = new ArrayList<>();
    it.forEachRemaining(part::add);
    return part;
  }

  /** This executor's deal of the running task's partition for the epoch, made if missing. */
  private static Batch.Deal dealOf(String id, List<Block> part, long seed, int count) {
    String key = id + ":" + TaskContext.getPartitionId();
    Batch.Deal deal = DEALS.get(key);
    if (deal == null || !deal.isOf(seed, count)) {
      deal = Batch.Deal.of(part, seed, count);
      DEALS.put(key, deal);
    }
    return deal;
  }

  @Override
  public void close() {
    if (ownsCache) {
      blocks.unpersist(false);
    }
    // This driver's deals (the executors' in local mode); on a cluster an executor's go as
    // later epochs' deals push them out.
    DEALS.keySet().removeIf(k -> k.startsWith(id + ":"));
  }
}
