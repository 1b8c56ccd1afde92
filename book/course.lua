--[[ book/course.lua: the pandoc Lua filter that turns the lesson READMEs into one book.
Run by book/build.sh from the top of the checkout; book/intro.md is pandoc's input, and the
filter appends the chapters listed in BOOK_CHAPTERS (one path per line, relative to the top).
Each chapter is read on its own, so the filter always knows which README a block came from:

  (a) ```{.c include="lessons/01-threads/hello.c" lines="12-30"}   -> the file's real lines 12..30
      (path relative to the top of the checkout; lines optional: the whole file). A missing
      file or a bad range stops the build, naming the README and the block.
  (b) ```{.measured file="build/data/01-threads/speedup.dat"}       -> that file's contents if it
      exists, else the block's own text ("run make plots to fill this in").
  (c) ![caption](../../build/plots/01-threads/x.svg)                 -> resolved from the README's
      folder; for HTML copied into BOOK_OUT (build/plots/X -> plots/X), for EPUB embedded (the
      PNG beside an SVG is preferred: e-readers draw PNG more reliably). A missing image is a
      warning and a visible note, never a failure: the plots only exist after `make plots`.
  (d) headings shifted so each chapter is one level-1 heading; identifiers prefixed with the
      chapter ("ch-01-threads-exercise"), because every lesson has an "Exercise" section and the
      one-page HTML needs unique anchors; links to other READMEs become links to their chapter.

Environment: BOOK_CHAPTERS (above), BOOK_OUT (output folder, for copied images), BOOK_QUIET=1
(no warnings or errors printed, only the exit status: the EPUB pass, which would repeat the
HTML pass's messages), BOOK_INTRO (the input's path, for
messages; default book/intro.md), BOOK_MACHINE (the machine the figures came from, shown under
the title). Written for pandoc 2.17 (Debian 12); avoids newer Lua APIs. ]]

local OUT = os.getenv("BOOK_OUT") or "build/book"
local QUIET = os.getenv("BOOK_QUIET") == "1"
local INTRO = os.getenv("BOOK_INTRO") or "book/intro.md"
-- Where the figures are: build/data and build/plots, or the folders make test writes to
-- (BENCH_DATA, BENCH_PLOTS), so that make test never reads or overwrites the learner's.
local DATA_DIR = os.getenv("BENCH_DATA") or "build/data"
local PLOTS_DIR = os.getenv("BENCH_PLOTS") or "build/plots"
local MEASURED_MAX_LINES = 120   -- a longer data file is cut, with a note saying how much is left

local errors = {}
local function fail(msg) errors[#errors + 1] = "book: error: " .. msg end
local function warn(msg)
  if not QUIET then io.stderr:write("book: warning: " .. msg .. "\n") end
end

local function is_html() return FORMAT:match("html") ~= nil end
local function is_epub() return FORMAT:match("epub") ~= nil end

-- ------------------------------------------------------------------ paths and files

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then return nil end
  local text = f:read("a")
  f:close()
  return text
end

local function exists(path)
  local f = io.open(path, "rb")
  if f then f:close() return true end
  return false
end

-- "lessons/01-threads" + "../../build/x.svg" -> "build/x.svg"; nil if it leaves the checkout.
local function resolve(dir, rel)
  local parts = {}
  local path = rel:sub(1, 1) == "/" and rel or (dir == "" and rel or dir .. "/" .. rel)
  if path:sub(1, 1) == "/" then return path end
  for part in path:gmatch("[^/]+") do
    if part == ".." then
      if #parts == 0 then return nil end
      table.remove(parts)
    elseif part ~= "." then
      parts[#parts + 1] = part
    end
  end
  return table.concat(parts, "/")
end

local function dirname(path) return path:match("^(.*)/[^/]*$") or "" end

local function split_lines(text)
  local lines = {}
  for line in (text .. (text:sub(-1) == "\n" and "" or "\n")):gmatch("([^\n]*)\n") do
    lines[#lines + 1] = line
  end
  return lines
end

local function shell_quote(s) return "'" .. s:gsub("'", "'\\''") .. "'" end

-- Copy one file byte for byte (images for the HTML book); false on failure.
local function copy_file(from, to)
  local data = read_file(from)
  if not data then return false end
  os.execute("mkdir -p " .. shell_quote(dirname(to)))
  local f = io.open(to, "wb")
  if not f then return false end
  f:write(data)
  f:close()
  return true
end

local function is_external(target)
  return target:match("^%a[%w+.-]*:") ~= nil or target:sub(1, 2) == "//"
end

-- ------------------------------------------------------------------ the chapters

-- chapters[i] = { path = "lessons/01-threads/README.md", slug = "01-threads", id = "ch-01-threads" }
local chapters = {}
local chapter_by_dir = {}   -- "lessons/01-threads" -> chapter

local function add_chapter(path, slug)
  local ch = { path = path, slug = slug, id = "ch-" .. slug }
  chapters[#chapters + 1] = ch
  chapter_by_dir[dirname(path)] = ch
  return ch
end

-- Line numbers of the fences that open include blocks, in order, so an error can say where.
-- Fence-aware (a longer fence may show the include syntax as an example), like
-- book/check-excerpts.sh.
local function include_fence_lines(text)
  local found, n, open_char, open_len = {}, 0, nil, 0
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    n = n + 1
    local fence = line:match("^ *(```+)") or line:match("^ *(~~~+)")
    if not open_char then
      if fence and not (fence:sub(1, 1) == "`" and line:sub(#line:match("^ *") + #fence + 1):find("`")) then
        open_char, open_len = fence:sub(1, 1), #fence
        local info = line:match("^ *[`~]+(.*)$")
        if info:match("^%s*{.*include%s*=") then
          found[#found + 1] = n
        elseif info:match("include%s*=") then
          found.malformed = (found.malformed or 0) + 1
          found.first_malformed = found.first_malformed or n
        end
      end
    elseif fence and fence:sub(1, 1) == open_char and #fence >= open_len
           and line:match("^ *[`~]+%s*$") then
      open_char = nil
    end
  end
  return found
end

-- ------------------------------------------------------------------ (a) include blocks

local function parse_range(spec, nlines)
  local a, b = spec:match("^%s*(%d+)%s*%-%s*(%d+)%s*$")
  if not a then a = spec:match("^%s*(%d+)%s*$"); b = a end
  if not a then return nil, 'lines="' .. spec .. '" is not of the form "A-B"' end
  a, b = tonumber(a), tonumber(b)
  if a < 1 or b < a then return nil, 'lines="' .. spec .. '" is not a range A-B with 1 <= A <= B' end
  if b > nlines then
    return nil, 'lines="' .. spec .. '" goes past the end: the file has ' .. nlines .. " lines"
  end
  return a, b
end

local function caption_div(classes, inlines, block)
  local caption = pandoc.Div({ pandoc.Plain(inlines) }, pandoc.Attr("", { "caption" }))
  return pandoc.Div({ caption, block }, pandoc.Attr("", classes))
end

local function include_block(cb, ctx)
  ctx.includes = ctx.includes + 1
  local k = ctx.includes
  local line = ctx.fences[k]
  local where = ctx.path .. (line and (":" .. line) or "") .. ": include block " .. k
  local path = cb.attributes["include"]
  local spec = cb.attributes["lines"]
  local attr_text = 'include="' .. path .. '"' .. (spec and (' lines="' .. spec .. '"') or "")
  if path == "" then fail(where .. ": include is empty") return nil end
  -- A lesson's exercise.c is quoted as the course ships it (the stub), never as the learner
  -- has edited it: tests/pristine-stub.sh gives a private copy of the shipped file.
  local source = path
  local lesson = path:match("^lessons/(%d%d%-[^/]+)/exercise%.c$")
  if lesson then
    local p = io.popen("tests/pristine-stub.sh '" .. lesson .. "'")
    local got = p and p:read("*l")
    if p then p:close() end
    if got and got ~= "" then source = got end
  end
  local text = read_file(source)
  if not text then
    fail(where .. " {" .. attr_text .. "}: no such file '" .. path ..
         "' (include paths are relative to the top of the checkout)")
    return nil
  end
  local lines = split_lines(text)
  local a, b = 1, #lines
  if spec then
    a, b = parse_range(spec, #lines)
    if not a then fail(where .. " {" .. attr_text .. "}: " .. b) return nil end
  end
  local excerpt = table.concat(lines, "\n", a, b)
  if cb.text ~= excerpt then
    warn(where .. ": the text differs from " .. path .. " lines " .. a .. "-" .. b ..
         " (the book shows the file; book/check-excerpts.sh and make test will fail)")
  end
  local attrs = {}
  for key, value in pairs(cb.attributes) do
    if key ~= "include" and key ~= "lines" then attrs[key] = value end
  end
  local code = pandoc.CodeBlock(excerpt, pandoc.Attr(cb.identifier, cb.classes, attrs))
  local label = spec and (", lines " .. a .. "–" .. b) or (", all " .. #lines .. " lines")
  return caption_div({ "listing" }, { pandoc.Code(path), pandoc.Str(label) }, code)
end

-- ------------------------------------------------------------------ (b) measured blocks

-- A data file's columns, lined up: the last "# name name ..." line before the data names them.
-- Numbers are right-aligned, words left-aligned. Anything that is not one clean table (rows of
-- different lengths, one column) is shown exactly as written.
local ALIGN_MAX = 100   -- wider than this when aligned (the PDF's page at 7.5pt): not aligned
local function align_columns(lines, no_header)
  local function fields(s) local t = {} for w in s:gmatch("%S+") do t[#t + 1] = w end return t end
  local header, rows = nil, {}
  for i, l in ipairs(lines) do
    if l:match("^%s*#") then
      if #rows == 0 then header = i end
    elseif l:match("%S") then
      rows[#rows + 1] = i
    end
  end
  if #rows == 0 then return lines end
  local n = #fields(lines[rows[1]])
  if n < 2 then return lines end
  local cells, width, numeric = {}, {}, {}
  for c = 1, n do width[c], numeric[c] = 0, true end
  for _, i in ipairs(rows) do
    local f = fields(lines[i])
    if #f ~= n then return lines end
    cells[i] = f
    for c = 1, n do
      width[c] = math.max(width[c], utf8.len(f[c]) or #f[c])
      if not f[c]:match("^[-+]?[%d.]+[eE]?[-+]?%d*%%?$") then numeric[c] = false end
    end
  end
  if header and not no_header then
    local f = fields((lines[header]:gsub("^%s*#%s*", "")))
    if #f == n then
      cells[header] = f
      for c = 1, n do width[c] = math.max(width[c], utf8.len(f[c]) or #f[c]) end
    end
  end
  local total = 2 + 2 * (n - 1)
  for c = 1, n do total = total + width[c] end
  if total > ALIGN_MAX then
    -- Too wide with the column names: line up the numbers only, or leave the file as it is.
    if no_header or not cells[header or 0] then return lines end
    return align_columns(lines, true)
  end
  local out = {}
  for i, l in ipairs(lines) do
    local f = cells[i]
    if f then
      local parts = {}
      for c = 1, n do
        local pad = string.rep(" ", width[c] - (utf8.len(f[c]) or #f[c]))
        parts[c] = (numeric[c] and i ~= header) and (pad .. f[c]) or (f[c] .. pad)
      end
      out[i] = ((i == header) and "# " or "  ") .. table.concat(parts, "  "):gsub("%s+$", "")
    else
      out[i] = l
    end
  end
  return out
end

local function measured_block(cb, ctx)
  local path = cb.attributes["file"]
  if not path or path == "" then
    warn(ctx.path .. ": a measured block has no file=\"build/data/...\"; shown as written")
    return nil
  end
  -- From the top of the checkout, as the brief's form has it; a README-relative
  -- "../../build/data/..." is accepted too.
  if not exists(path) then
    local rel = resolve(ctx.dir, path)
    if rel and exists(rel) then path = rel end
  end
  path = path:gsub("^build/data/", function() return DATA_DIR .. "/" end)
  local text = read_file(path)
  local classes = { "measured" }
  local label
  if text then
    local lines = split_lines(text)
    while #lines > 0 and lines[#lines] == "" do table.remove(lines) end
    local shown = math.min(#lines, MEASURED_MAX_LINES)
    if path:match("%.dat$") then
      local first = {}
      for i = 1, shown do first[i] = lines[i] end
      local aligned = align_columns(first)
      for i = 1, shown do lines[i] = aligned[i] end
    end
    text = table.concat(lines, "\n", 1, shown)
    if shown < #lines then
      text = text .. "\n... (" .. (#lines - shown) .. " more lines in " .. path .. ")"
    end
    label = { pandoc.Str("Measured on your machine: "), pandoc.Code(path) }
  else
    text = cb.text
    classes[#classes + 1] = "not-measured"
    label = { pandoc.Str("Not measured yet ("), pandoc.Code(path),
              pandoc.Str(" does not exist):") }
  end
  return caption_div(classes, label, pandoc.CodeBlock(text, pandoc.Attr(cb.identifier, {})))
end

-- ------------------------------------------------------------------ (c) images

local function image_note(ctx, img, shown_path)
  local cap = pandoc.utils.stringify(img.caption)
  return { pandoc.Strong({ pandoc.Str("Plot not drawn yet:") }), pandoc.Space(),
           pandoc.Str(cap ~= "" and (cap .. " ") or ""),
           pandoc.Code(shown_path), pandoc.Str(". Run "), pandoc.Code("make plots"),
           pandoc.Str(", then "), pandoc.Code("make book"), pandoc.Str(".") }
end

-- Returns the image with a usable src, or a list of inlines (the note) when it is missing.
local function fix_image(img, ctx)
  local src = img.src
  if is_external(src) or src:sub(1, 5) == "data:" then return img end
  local path = resolve(ctx.dir, src)
  local in_plots = path and path:match("^build/plots/(.*)$")
  if in_plots then path = PLOTS_DIR .. "/" .. in_plots end
  if not path or not exists(path) then
    warn(ctx.path .. ": image '" .. src .. "' not found" ..
         (path and (" (looked for " .. path .. ")") or " (outside the checkout)") ..
         "; the book shows a note instead (run make plots)")
    return image_note(ctx, img, path or src)
  end
  if FORMAT == "plain" then       -- book/chapter.sh, in a terminal: say where the plot is
    local cap = pandoc.utils.stringify(img.caption)
    local png = path:gsub("%.svg$", ".png")
    if png ~= path and exists(png) then path = png end
    return { pandoc.Str("[plot: " .. (cap ~= "" and (cap .. ": ") or "")), pandoc.Code(path),
             pandoc.Str("]") }
  end
  if is_epub() then
    local png = path:gsub("%.svg$", ".png")
    if png ~= path and exists(png) then path = png end
    img.src = path                 -- pandoc embeds it; paths resolve from the checkout's top
  elseif is_html() then
    local dest = in_plots and ("plots/" .. in_plots) or ("files/" .. path)
    if not copy_file(path, OUT .. "/" .. dest) then
      warn(ctx.path .. ": could not copy image " .. path .. " to " .. OUT .. "/" .. dest)
    end
    -- The PNG beside an SVG goes along: book/build.sh gives it to weasyprint for the PDF.
    local png = path:gsub("%.svg$", ".png")
    if png ~= path and exists(png) then copy_file(png, OUT .. "/" .. dest:gsub("%.svg$", ".png")) end
    img.src = dest
  else
    img.src = path
  end
  return img
end

-- ------------------------------------------------------------------ (d) headings and links

-- Rewrites a link target found in chapter ctx; returns the new target, or nil to drop the link
-- (a file link in the EPUB, where the checkout's files are not reachable).
local function fix_target(target, ctx)
  if is_external(target) then return target end
  if target:sub(1, 1) == "#" then
    local id = target:sub(2)
    if ctx.title_id and id == ctx.title_id then return "#" .. ctx.id end
    if ctx.ids[id] then return "#" .. ctx.id .. "-" .. id end
    -- GitHub keeps "--" where a heading had " / "; pandoc makes it "-". Accept both.
    local near = ctx.near_ids[id:lower():gsub("%-+", "-")]
    if near then return "#" .. ctx.id .. "-" .. near end
    return target
  end
  local file, frag = target:match("^([^#]*)#(.*)$")
  file = file or target
  local path = resolve(ctx.dir, file)
  if path then
    local dir = path:gsub("/README%.md$", ""):gsub("/$", "")
    local ch = chapter_by_dir[dir]
    if ch and (path:match("README%.md$") or dir == path) then
      if frag and frag ~= "" then return "#" .. ch.id .. "-" .. frag end
      return "#" .. ch.id
    end
  end
  if is_html() and path then return "../../" .. path end   -- index.html sits two levels down
  return nil
end

local function chapter_title_from_slug(slug)
  local num, words = slug:match("^(%d%d)%-(.*)$")
  words = (words or slug):gsub("%-", " ")
  words = words:sub(1, 1):upper() .. words:sub(2)
  return num and (num .. " " .. words) or words
end

-- Shift headings so the chapter is exactly one level-1 heading (adding one if the README has
-- several top headings, or none), and make every identifier unique across the book.
local function shape_chapter(blocks, ctx, meta)
  local min_level, count_min, first = 99, 0, nil
  for i, b in ipairs(blocks) do
    if b.t == "Header" then
      first = first or i
      if b.level < min_level then min_level, count_min = b.level, 1
      elseif b.level == min_level then count_min = count_min + 1 end
    end
  end
  local shift
  if first and count_min == 1 and blocks[first].level == min_level then
    -- One top heading, and nothing but text (or an HTML comment) before it: it is the title.
    shift = 1 - min_level
    ctx.title_id = blocks[first].identifier
    if first > 1 then table.insert(blocks, 1, table.remove(blocks, first)) end
  else
    shift = (min_level == 99) and 0 or (2 - min_level)
    local title = meta and meta.title and pandoc.utils.stringify(meta.title) or ""
    if title == "" then title = chapter_title_from_slug(ctx.slug) end
    table.insert(blocks, 1, pandoc.Header(1, { pandoc.Str(title) }))
  end
  -- Collect the identifiers first, so links to them can be rewritten in the same chapter.
  local function note_id(el)
    if el.identifier and el.identifier ~= "" then
      ctx.ids[el.identifier] = true
      ctx.near_ids[el.identifier:lower():gsub("%-+", "-")] = el.identifier
    end
  end
  pandoc.walk_block(pandoc.Div(blocks), {
    Header = note_id, Div = note_id, Span = note_id, CodeBlock = note_id })
  local function prefix(el)
    if el.identifier and el.identifier ~= "" then el.identifier = ctx.id .. "-" .. el.identifier end
    return el
  end
  local out = pandoc.walk_block(pandoc.Div(blocks), {
    Header = function(h)
      h.level = math.max(1, math.min(6, h.level + shift))
      return prefix(h)
    end,
    Div = prefix, Span = prefix, CodeBlock = prefix,
    Link = function(l)
      local t = fix_target(l.target, ctx)
      if t == nil then return pandoc.Span(l.content) end
      l.target = t
      return l
    end,
  }).content
  -- walk_block rebuilds the title header, so set its level and id on the result.
  out[1].level = 1
  out[1].identifier = ctx.id
  ctx.title = pandoc.utils.stringify(out[1].content)
  return out
end

-- ------------------------------------------------------------------ one chapter

local function process_chapter(ch, blocks, text, meta)
  local ctx = { path = ch.path, dir = dirname(ch.path), slug = ch.slug, id = ch.id,
                fences = include_fence_lines(text), includes = 0, ids = {}, near_ids = {} }
  if ctx.fences.malformed then
    warn(ch.path .. ":" .. ctx.fences.first_malformed .. ": " .. ctx.fences.malformed ..
         " fence(s) name include= but are not read as include blocks (pandoc wants" ..
         " ```{.c include=\"PATH\" lines=\"A-B\"}); book/check-excerpts.sh will fail")
  end
  blocks = pandoc.walk_block(pandoc.Div(blocks), {
    CodeBlock = function(cb)
      if cb.attributes["include"] then return include_block(cb, ctx) end
      if cb.classes:includes("measured") then return measured_block(cb, ctx) end
      return nil
    end,
    Image = function(img)
      local r = fix_image(img, ctx)
      if r.t == "Image" then return r end
      return pandoc.Span(r, pandoc.Attr("", { "missing-image" }))
    end,
  })
  -- Images are walked before their paragraph, so a missing plot that stood alone (a figure)
  -- is now a lone Span.missing-image: make that a note block of its own.
  blocks = pandoc.walk_block(blocks, {
    Para = function(p)
      local only = #p.content == 1 and p.content[1]
      if only and only.t == "Span" and only.classes:includes("missing-image") then
        return pandoc.Div({ pandoc.Para(only.content) }, pandoc.Attr("", { "note", "missing-image" }))
      end
      return nil
    end,
  }).content
  ch.blocks = shape_chapter(blocks, ctx, meta)
  ch.title = ctx.title
end

-- Previous / next links under each chapter of the one-page HTML book.
local function chapter_nav(i)
  local items = {}
  if i > 1 then
    items[#items + 1] = pandoc.Link({ pandoc.Str("← " .. chapters[i - 1].title) }, "#" .. chapters[i - 1].id)
  end
  items[#items + 1] = pandoc.Link({ pandoc.Str("Contents") }, "#TOC")
  if i < #chapters then
    items[#items + 1] = pandoc.Link({ pandoc.Str(chapters[i + 1].title .. " →") }, "#" .. chapters[i + 1].id)
  end
  local inl = {}
  for j, l in ipairs(items) do
    if j > 1 then inl[#inl + 1] = pandoc.Space() end
    inl[#inl + 1] = l
  end
  return pandoc.Div({ pandoc.Plain(inl) }, pandoc.Attr("", { "chapter-nav" }))
end

-- After every chapter is shaped: each "#anchor" link must name an identifier of the book.
-- A near miss (GitHub-style "--") is corrected; anything else is a warning naming the README.
local function check_links()
  local ids, near = { TOC = true }, {}
  local function note(el)
    if el.identifier and el.identifier ~= "" then
      ids[el.identifier] = true
      near[el.identifier:lower():gsub("%-+", "-")] = el.identifier
    end
  end
  for _, ch in ipairs(chapters) do
    pandoc.walk_block(pandoc.Div(ch.blocks), { Header = note, Div = note, Span = note, CodeBlock = note })
  end
  for _, ch in ipairs(chapters) do
    ch.blocks = pandoc.walk_block(pandoc.Div(ch.blocks), {
      Link = function(l)
        local id = l.target:match("^#(.+)$")
        if not id or ids[id] then return nil end
        local fixed = near[id:lower():gsub("%-+", "-")]
        if fixed then l.target = "#" .. fixed return l end
        warn(ch.path .. ": the link '" .. pandoc.utils.stringify(l.content) .. "' goes to '#" ..
             id .. "', which no heading of the book has")
        return nil
      end,
    }).content
  end
end

function Pandoc(doc)
  local intro = add_chapter(INTRO, "intro")
  local list = os.getenv("BOOK_CHAPTERS") or ""
  local texts = { [1] = read_file(INTRO) or "" }
  for path in list:gmatch("[^\n]+") do
    local slug = dirname(path):match("([^/]+)$") or path:gsub("%.md$", "")
    -- Not a lesson README (the claims chapter, written in the build's stage folder): its name.
    if not path:match("/README%.md$") then slug = path:match("([^/]+)%.md$") or slug end
    add_chapter(path, slug)
  end
  for i, ch in ipairs(chapters) do
    local blocks, meta
    if ch == intro then
      blocks = doc.blocks            -- the intro's title is the book's, not a chapter's
    else
      local text = read_file(ch.path)
      if not text then
        fail(ch.path .. ": cannot read this chapter")
        text = ""
      end
      texts[i] = text
      local parsed = pandoc.read(text, "markdown")
      blocks, meta = parsed.blocks, parsed.meta
    end
    process_chapter(ch, blocks, texts[i], meta)
  end
  if #errors > 0 then
    if not QUIET then
      io.stderr:write(table.concat(errors, "\n") .. "\n")
      io.stderr:write("book: " .. #errors .. " error(s); nothing was written\n")
    end
    os.exit(1)
  end
  check_links()
  -- The machine the figures came from, under the title (the first page in every format):
  -- book/build.sh reads it from the data files' "# machine:" lines.
  local machine = os.getenv("BOOK_MACHINE")
  if machine and machine ~= "" then
    doc.meta["abstract-title"] = pandoc.MetaInlines({ pandoc.Str("Measured on") })
    doc.meta.abstract = pandoc.MetaBlocks({ pandoc.Para({
      pandoc.Str("The figures and plots in this book were measured on: "), pandoc.Str(machine) }) })
  end
  local all = {}
  for i, ch in ipairs(chapters) do
    for _, b in ipairs(ch.blocks) do all[#all + 1] = b end
    if is_html() then all[#all + 1] = chapter_nav(i) end
  end
  return pandoc.Pandoc(all, doc.meta)
end
