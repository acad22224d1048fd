package dev.sparkprop.spark;

import dev.sparkprop.nn.Block;
import dev.sparkprop.nn.Checks;
import dev.sparkprop.nn.Network;
import dev.sparkprop.nn.NetworkSpec;
import dev.sparkprop.optim.OptimizerState;
import dev.sparkprop.train.Batch;
import dev.sparkprop.train.LocalSgd;
import dev.sparkprop.train.Objective;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import java.io.Serializable;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaFutureAction;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.rdd.RDD;
import scala.jdk.javaapi.CollectionConverters;
import scala.reflect.ClassTag$;

/**
 * One epoch of mini-batch steps (or local SGD rounds) in one Spark job. Spark's floor for a step
 * taken as its own job (schedule a job, ship a broadcast, launch a task per partition, collect
 * the results) is about 16 ms on the benchmark machine, three times the step's own products;
 * 235 steps an epoch paid it 235 times. Here the epoch's job is a barrier stage (Spark's gang
 * scheduling: all its tasks run at once, or none), each task stays with its partition's cached
 * blocks for the whole epoch, and the driver and the tasks exchange messages ({@link
 * Transport}: by reference in local mode, where the tasks are threads of the driver's JVM; over
 * plain sockets on a cluster): the driver
 * sends each step's parameters to every task, every task answers with its partition's gradient
 * sum for the step's batch, the driver adds them in partition order and takes the optimizer step
 * itself, as with one job per step. The arithmetic is the same code on the same rows in the same
 * order, so an epoch here equals an epoch of one job per step bit for bit where that adds in
 * partition order too (up to 5 partitions at depth 2; a test holds it), and to rounding where
 * it adds through treeAggregate's tree.
 *
 * <p>On a socket, frames both ways: a 32-byte header (op, batch index, rows, loss, length of a serialised
 * object, number of arrays), the object's bytes, then each array as its length and raw
 * little-endian doubles. A task authenticates with the session's random 16-byte token, which
 * reached it in the job's closure (through Spark's own channel).
 *
 * <p>Opening fails (and the caller falls back to one job per step) when Spark refuses the
 * barrier stage (dynamic allocation, an RDD chain Spark does not allow in one) or the tasks do
 * not all connect within {@link #CONNECT_SECONDS}. A task or connection lost in the middle of
 * an epoch fails the step with {@link Lost}; the caller takes that step and the rest of the
 * epoch as jobs, which Spark retries and recomputes as always.
 */
final class StepExchange implements Objective.EpochSteps {
  private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(
      StepExchange.class);

  /** How long the driver waits for all tasks to connect before giving up on the exchange. */
  static final int CONNECT_SECONDS = 60;
  private static final int HEADER = 32;
  private static final int OP_END = 0;
  private static final int OP_STEP = 1;
  private static final int OP_ROUND = 2;

  /**
   * How messages travel: by reference between threads of this JVM (local mode: the tasks are
   * threads of the driver's JVM) or over sockets (a cluster, or local mode when asked, to
   * measure what a cluster pays).
   */
  enum Transport { IN_JVM, SOCKETS }

  /** The exchange could not start; the message says why. */
  static final class Unavailable extends Exception {
    private static final long serialVersionUID = 1L;

    Unavailable(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /** A task or its connection went away in the middle of the epoch. */
  static final class Lost extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Lost(String message, Throwable cause) {
      super(message, cause);
    }
  }

  /**
   * Tests: the batch (or round's first batch) at which a task of this JVM fails, -1 for none.
   * In local mode the tasks run in the test's JVM, so a test can lose a task mid-epoch.
   */
  static final java.util.concurrent.atomic.AtomicInteger FAIL_AT_BATCH =
      new java.util.concurrent.atomic.AtomicInteger(-1);

  /** The open in-JVM sessions, by token: where a task in this JVM finds its driver's end. */
  private static final java.util.Map<String, Mailbox[]> IN_JVM =
      new java.util.concurrent.ConcurrentHashMap<>();

  private final JavaFutureAction<Long> job;
  private final ServerSocket server; // null in-JVM
  private final String sessionKey; // in IN_JVM, or null
  private final Link[] links;
  /** The parameters (and state) of a socket step, encoded once for all tasks. */
  private final Frame outgoing = new Frame();
  private boolean closed;

  private StepExchange(JavaFutureAction<Long> job, ServerSocket server, String sessionKey,
      Link[] links) {
    this.job = job;
    this.server = server;
    this.sessionKey = sessionKey;
    this.links = links;
  }

  /**
   * Starts the epoch's job over {@code blocks} (one task per partition, every partition's rows
   * dealt to {@code count} batches by {@code seed}) and waits until every task has connected.
   */
  static StepExchange open(JavaRDD<Block> blocks, NetworkSpec spec, long seed, int count,
      Transport transport, String description) throws Unavailable {
    JavaSparkContext sc = JavaSparkContext.fromSparkContext(blocks.context());
    int n = blocks.getNumPartitions();
    boolean local = sc.sc().isLocal();
    Checks.arg(local || transport == Transport.SOCKETS, "in-JVM exchange needs local mode");
    byte[] token = new byte[16];
    new SecureRandom().nextBytes(token);
    String key = java.util.HexFormat.of().formatHex(token);
    ServerSocket server = null;
    JavaFutureAction<Long> job = null;
    Link[] links = new Link[n];
    Mailbox[] boxes = null;
    try {
      String host = null;
      int port = -1;
      if (transport == Transport.IN_JVM) {
        boxes = new Mailbox[n];
        for (int p = 0; p < n; p++) {
          boxes[p] = new Mailbox();
        }
        IN_JVM.put(key, boxes);
      } else {
        host = local ? "127.0.0.1" : sc.getConf().get("spark.driver.host");
        String bind = local ? "127.0.0.1" : sc.getConf().get("spark.driver.bindAddress", host);
        server = new ServerSocket(0, n, InetAddress.getByName(bind));
        server.setSoTimeout(100);
        port = server.getLocalPort();
      }
      TaskLoop loop = new TaskLoop(host, port, token, spec, seed, count);
      scala.Function1<scala.collection.Iterator<Block>, scala.collection.Iterator<Object>> body =
          (scala.Function1<scala.collection.Iterator<Block>, scala.collection.Iterator<Object>>
              & Serializable) it -> {
            try {
              loop.run(CollectionConverters.asJava(it));
            } catch (IOException e) {
              throw new java.io.UncheckedIOException(e);
            }
            return scala.collection.Iterator$.MODULE$.empty();
          };
      RDD<Object> rdd = blocks.rdd().barrier().mapPartitions(body, false,
          ClassTag$.MODULE$.AnyRef());
      String before = sc.getLocalProperty("spark.job.description");
      sc.setJobDescription(description);
      try {
        job = JavaRDD.fromRDD(rdd, ClassTag$.MODULE$.AnyRef()).countAsync();
      } finally {
        sc.setLocalProperty("spark.job.description", before);
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(CONNECT_SECONDS);
      int connected = 0;
      while (connected < n) {
        if (boxes != null) {
          connected = 0;
          for (int p = 0; p < n; p++) {
            if (boxes[p].attached.await(0, TimeUnit.MILLISECONDS)) {
              links[p] = boxes[p];
              connected++;
            }
          }
          if (connected < n) {
            Thread.sleep(1);
          }
        } else {
          try {
            Socket s = server.accept();
            SocketLink link = SocketLink.accept(s, token);
            if (link == null || link.partition < 0 || link.partition >= n
                || links[link.partition] != null) {
              s.close();
            } else {
              links[link.partition] = link;
              connected++;
            }
          } catch (SocketTimeoutException e) {
            // checked below
          }
        }
        if (connected < n && job.isDone()) {
          throw new Unavailable("the exchange's job ended before its tasks connected: "
              + failure(job), null);
        }
        if (connected < n && System.nanoTime() > deadline) {
          throw new Unavailable("not all of the " + n + " tasks of the exchange's job "
              + "started within " + CONNECT_SECONDS + " s (fewer free task slots than "
              + "partitions?)", null);
        }
      }
      if (server != null) {
        server.setSoTimeout(0);
      }
      return new StepExchange(job, server, boxes == null ? null : key, links);
    } catch (Unavailable e) {
      abandon(job, server, boxes == null ? null : key, links);
      throw e;
    } catch (Exception e) {
      abandon(job, server, boxes == null ? null : key, links);
      throw new Unavailable(e.getMessage() == null ? e.toString() : e.getMessage(), e);
    }
  }

  @Override
  public Objective.BatchLoss lossAndGradient(double[] params, int batch, double[] gradient) {
    sendAll(new Message(OP_STEP, batch, 0, 0.0, null, params));
    // Merged in partition order as a job per step merges its tasks' sums. The first sum with
    // rows lends its array (the answering task's or link's buffer) to the total; neither is
    // touched again before the next step is sent, after meanInto has read it.
    GradientSum sum = GradientSum.zero();
    try {
      for (Link link : links) {
        Message reply = link.receive(job);
        sum.merge(new GradientSum(reply.rows() == 0 ? null : reply.arrays()[0], reply.loss(),
            reply.rows()));
      }
    } catch (IOException e) {
      throw lost(e);
    }
    return sum.meanInto(gradient);
  }

  @Override
  public LocalSgd.Sum localRound(double[] params, OptimizerState.Snapshot state,
      LocalSgd.Round round) {
    RoundState start = RoundState.of(state);
    sendAll(new Message(OP_ROUND, round.first(), 0, 0.0, new RoundRequest(round, start),
        start.arrays(params, state)));
    LocalSgd.Sum sum = LocalSgd.Sum.zero();
    try {
      for (Link link : links) {
        Message reply = link.receive(job);
        if (reply.meta() != null) {
          sum = sum.merge((LocalSgd.Sum) reply.meta());
        }
      }
    } catch (IOException e) {
      throw lost(e);
    }
    return sum;
  }

  /** Tells the tasks the epoch is over and waits for the job to finish. */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      Message end = new Message(OP_END, 0, 0, 0.0, null);
      for (Link link : links) {
        link.send(end, outgoing);
      }
      job.get(CONNECT_SECONDS, TimeUnit.SECONDS);
    } catch (Exception e) {
      LOG.debug("the step exchange's job did not end cleanly", e);
    } finally {
      abandon(job, server, sessionKey, links);
    }
  }

  private void sendAll(Message m) {
    Checks.state(!closed, "the step exchange is closed");
    try {
      for (Link link : links) {
        link.send(m, outgoing);
      }
    } catch (IOException e) {
      throw lost(e);
    }
  }

  private Lost lost(IOException e) {
    String why = job.isDone() ? failure(job) : e.toString();
    closed = true;
    abandon(job, server, sessionKey, links);
    return new Lost("the step exchange lost a task: " + why, e);
  }

  private static String failure(JavaFutureAction<Long> job) {
    try {
      job.get();
      return "it finished";
    } catch (java.util.concurrent.ExecutionException e) {
      Throwable c = e.getCause() == null ? e : e.getCause();
      String m = c.getMessage() == null ? c.toString() : c.getMessage();
      return m.lines().findFirst().orElse(m);
    } catch (Exception e) {
      return e.toString();
    }
  }

  private static void abandon(JavaFutureAction<Long> job, ServerSocket server, String key,
      Link[] links) {
    if (key != null) {
      Mailbox[] boxes = IN_JVM.remove(key);
      if (boxes != null) {
        for (Mailbox box : boxes) {
          box.close();
        }
      }
    }
    for (Link link : links) {
      if (link != null) {
        link.close();
      }
    }
    if (server != null) {
      try {
        server.close();
      } catch (IOException ignored) {
        // closing a listening socket
      }
    }
    if (job != null && !job.isDone()) {
      job.cancel(true);
      try {
        job.get(CONNECT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // cancelled: the tasks see their links close and end
      }
    }
  }

  private static byte[] serialize(Object o) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
      out.writeObject(o);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return bytes.toByteArray();
  }

  private static Object deserialize(byte[] b) {
    try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(b))) {
      return in.readObject();
    } catch (IOException | ClassNotFoundException e) {
      throw new IllegalStateException(e);
    }
  }

  /** What a round's tasks need besides the arrays: the round and the state's shape. */
  private record RoundRequest(LocalSgd.Round round, RoundState start) implements Serializable {}

  /**
   * One message, either way: an op and batch index (driver to task) or rows and loss (task to
   * driver), a small object (a round's request, a replica's sum) and arrays (parameters and
   * state, or a gradient sum). In-JVM it is handed over as it is; whoever receives it reads
   * its arrays before answering and the sender does not touch them until the answer comes.
   */
  private record Message(int op, int index, long rows, double loss, Object meta,
      double[]... arrays) {}

  /** Told while a receive waits; throws to stop waiting. */
  @FunctionalInterface
  private interface Waiting {
    void stillWaiting() throws IOException;
  }

  /** The driver's end of one task's connection. */
  private interface Link {
    /** Sends {@code m}; a socket link encodes it into {@code shared} once for all links. */
    void send(Message m, Frame shared) throws IOException;

    /** The task's answer; fails when the job has ended meanwhile. */
    default Message receive(JavaFutureAction<Long> job) throws IOException {
      return receive(() -> {
        if (job.isDone()) {
          throw new IOException("the exchange's job ended: " + failure(job));
        }
      });
    }

    Message receive(Waiting waiting) throws IOException;

    void close();
  }

  /**
   * An in-JVM link: one slot each way. The task's end is the same object (it takes from
   * {@code toTask} and puts into {@code toDriver}).
   */
  private static final class Mailbox implements Link {
    final java.util.concurrent.CountDownLatch attached = new java.util.concurrent.CountDownLatch(1);
    final java.util.concurrent.BlockingQueue<Message> toTask =
        new java.util.concurrent.LinkedBlockingQueue<>();
    final java.util.concurrent.BlockingQueue<Message> toDriver =
        new java.util.concurrent.LinkedBlockingQueue<>();
    volatile boolean closed;

    @Override
    public void send(Message m, Frame shared) throws IOException {
      if (closed) {
        throw new IOException("the link is closed");
      }
      toTask.add(m);
    }

    @Override
    public Message receive(Waiting waiting) throws IOException {
      return take(toDriver, waiting);
    }

    void reply(Message m) throws IOException {
      if (closed) {
        throw new IOException("the link is closed");
      }
      toDriver.add(m);
    }

    Message take(java.util.concurrent.BlockingQueue<Message> from, Waiting waiting)
        throws IOException {
      while (true) {
        Message m;
        try {
          m = from.poll(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new java.io.InterruptedIOException("interrupted");
        }
        if (m != null) {
          return m;
        }
        if (closed) {
          throw new java.io.EOFException("the other side closed the link");
        }
        waiting.stillWaiting();
      }
    }

    @Override
    public void close() {
      closed = true;
    }
  }

  /** The driver's end of a task's socket. */
  private static final class SocketLink implements Link {
    final Socket socket;
    final InputStream in;
    final OutputStream out;
    final int partition;
    final Frame reply = new Frame();

    private SocketLink(Socket socket, int partition) throws IOException {
      this.socket = socket;
      this.in = socket.getInputStream();
      this.out = socket.getOutputStream();
      this.partition = partition;
    }

    /** Reads the task's hello; null unless it carries the session's token. */
    static SocketLink accept(Socket s, byte[] token) throws IOException {
      s.setTcpNoDelay(true);
      s.setSoTimeout(10_000);
      byte[] hello = new byte[token.length + 4];
      try {
        Frame.readFully(s.getInputStream(), hello, hello.length, () -> {
          throw new SocketTimeoutException("no hello");
        });
      } catch (IOException e) {
        s.close();
        return null;
      }
      if (!java.security.MessageDigest.isEqual(Arrays.copyOf(hello, token.length), token)) {
        s.close();
        return null;
      }
      int partition = ByteBuffer.wrap(hello, token.length, 4).order(ByteOrder.LITTLE_ENDIAN)
          .getInt();
      s.setSoTimeout(1000);
      return new SocketLink(s, partition);
    }

    @Override
    public void send(Message m, Frame shared) throws IOException {
      shared.encodeOnce(m);
      out.write(shared.buffer, 0, shared.length);
      out.flush();
    }

    @Override
    public Message receive(Waiting waiting) throws IOException {
      return reply.read(in, waiting);
    }

    @Override
    public void close() {
      try {
        socket.close();
      } catch (IOException ignored) {
        // closing
      }
    }
  }

  /**
   * A message on a socket: a 32-byte header (op, batch index, rows, loss, length of the
   * serialised object or -1, number of arrays), the object's bytes, then each array as its
   * length and raw little-endian doubles. Encoded into and decoded from reused buffers;
   * decoded arrays are reused when their length matches, so a step allocates nothing.
   */
  private static final class Frame {
    byte[] buffer = new byte[HEADER];
    int length;
    private Message encoded;
    private double[][] arrays = new double[0][];

    /** Encodes {@code m} unless it is the message encoded last. */
    void encodeOnce(Message m) {
      if (m == encoded) {
        return;
      }
      byte[] meta = m.meta() == null ? null : serialize(m.meta());
      int size = HEADER + (meta == null ? 0 : meta.length);
      for (double[] a : m.arrays()) {
        size += 4 + a.length * Double.BYTES;
      }
      ensure(size);
      ByteBuffer b = ByteBuffer.wrap(buffer).order(ByteOrder.LITTLE_ENDIAN);
      b.putInt(m.op()).putInt(m.index()).putLong(m.rows()).putDouble(m.loss())
          .putInt(meta == null ? -1 : meta.length).putInt(m.arrays().length);
      if (meta != null) {
        b.put(meta);
      }
      for (double[] a : m.arrays()) {
        b.putInt(a.length);
        b.asDoubleBuffer().put(a);
        b.position(b.position() + a.length * Double.BYTES);
      }
      length = size;
      encoded = m;
    }

    /** Reads one message; {@code waiting} is told each second that nothing arrives. */
    Message read(InputStream in, Waiting waiting) throws IOException {
      ensure(HEADER);
      readFully(in, buffer, HEADER, waiting);
      ByteBuffer h = ByteBuffer.wrap(buffer, 0, HEADER).order(ByteOrder.LITTLE_ENDIAN);
      int op = h.getInt();
      int index = h.getInt();
      long rows = h.getLong();
      double loss = h.getDouble();
      int metaLength = h.getInt();
      int count = h.getInt();
      Object meta = null;
      if (metaLength >= 0) {
        byte[] bytes = new byte[metaLength];
        readFully(in, bytes, metaLength, waiting);
        meta = deserialize(bytes);
      }
      if (arrays.length != count) {
        arrays = new double[count][];
      }
      for (int a = 0; a < count; a++) {
        readFully(in, buffer, 4, waiting);
        int n = ByteBuffer.wrap(buffer, 0, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
        ensure(n * Double.BYTES);
        readFully(in, buffer, n * Double.BYTES, waiting);
        if (arrays[a] == null || arrays[a].length != n) {
          arrays[a] = new double[n];
        }
        ByteBuffer.wrap(buffer, 0, n * Double.BYTES).order(ByteOrder.LITTLE_ENDIAN)
            .asDoubleBuffer().get(arrays[a]);
      }
      encoded = null;
      return new Message(op, index, rows, loss, meta, arrays.clone());
    }

    private void ensure(int size) {
      if (buffer.length < size) {
        buffer = new byte[size];
      }
    }

    static void readFully(InputStream in, byte[] into, int length, Waiting waiting)
        throws IOException {
      int off = 0;
      while (off < length) {
        int r;
        try {
          r = in.read(into, off, length - off);
        } catch (SocketTimeoutException e) {
          waiting.stillWaiting();
          continue;
        }
        if (r < 0) {
          throw new java.io.EOFException("the other side closed the connection");
        }
        off += r;
      }
    }
  }

  /** What each task of the epoch's job runs: connect, then answer steps until the end. */
  private static final class TaskLoop implements Serializable {
    private static final long serialVersionUID = 1L;
    final String host; // null: the driver is in this JVM
    final int port;
    final byte[] token;
    final NetworkSpec spec;
    final long seed;
    final int count;

    TaskLoop(String host, int port, byte[] token, NetworkSpec spec, long seed, int count) {
      this.host = host;
      this.port = port;
      this.token = token;
      this.spec = spec;
      this.seed = seed;
      this.count = count;
    }

    void run(Iterator<Block> it) throws IOException {
      List<Block> part = SparkObjective.blocksOf(it);
      TaskContext context = BarrierTaskContext.get();
      Waiting killed = () -> {
        if (context.isInterrupted()) {
          throw new IOException("the task was killed");
        }
      };
      Steps steps = new Steps(spec, part, part.isEmpty() ? null
          : Batch.Deal.of(part, seed, count));
      if (host == null) {
        Mailbox[] boxes = IN_JVM.get(java.util.HexFormat.of().formatHex(token));
        if (boxes == null) {
          throw new IOException("the step exchange's driver is not in this JVM");
        }
        Mailbox box = boxes[context.partitionId()];
        box.attached.countDown();
        while (true) {
          Message request = box.take(box.toTask, killed);
          if (request.op() == OP_END) {
            return;
          }
          box.reply(steps.answer(request));
        }
      }
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress(host, port), CONNECT_SECONDS * 1000);
        s.setTcpNoDelay(true);
        s.setSoTimeout(1000);
        InputStream in = s.getInputStream();
        OutputStream out = s.getOutputStream();
        byte[] hello = Arrays.copyOf(token, token.length + 4);
        ByteBuffer.wrap(hello, token.length, 4).order(ByteOrder.LITTLE_ENDIAN)
            .putInt(context.partitionId());
        out.write(hello);
        out.flush();
        Frame request = new Frame();
        Frame reply = new Frame();
        while (true) {
          Message m = request.read(in, killed);
          if (m.op() == OP_END) {
            return;
          }
          reply.encodeOnce(steps.answer(m));
          out.write(reply.buffer, 0, reply.length);
          out.flush();
        }
      }
    }
  }

  /** A task's side of the arithmetic: its partition's rows, their deal, reused buffers. */
  private static final class Steps {
    final Network network;
    final List<Block> part;
    final Batch.Deal deal; // null for an empty partition
    double[] gradient; // reused from step to step

    Steps(NetworkSpec spec, List<Block> part, Batch.Deal deal) {
      this.network = new Network(spec);
      this.part = part;
      this.deal = deal;
    }

    /** The answer to a step or round request. */
    Message answer(Message request) throws IOException {
      if (request.index() == FAIL_AT_BATCH.get()) {
        throw new IOException("failing at batch " + request.index() + " (a test's fault)");
      }
      if (request.op() == OP_STEP) {
        GradientSum sum = deal == null ? GradientSum.zero() : SparkObjective.batchSum(network,
            request.arrays()[0], part, deal, request.index(), gradient);
        if (sum.gradient == null) {
          return new Message(OP_STEP, request.index(), 0, 0.0, null);
        }
        gradient = sum.gradient;
        return new Message(OP_STEP, request.index(), sum.rows, sum.loss, null, gradient);
      }
      if (request.op() == OP_ROUND) {
        RoundRequest r = (RoundRequest) request.meta();
        LocalSgd.Sum sum = deal == null ? null : LocalSgd.replica(r.round(), network,
            request.arrays()[0], r.start().snapshot(i -> request.arrays()[i]), part, deal);
        return new Message(OP_ROUND, request.index(), 0, 0.0, sum);
      }
      throw new IOException("unknown op " + request.op());
    }
  }
}
