namespace OrleansLlm.Gguf.Models;

/// <summary>Jinja chat templates written into generated models (<c>tokenizer.chat_template</c>).</summary>
public static class ChatTemplates
{
    /// <summary>ChatML: what the demo model speaks; llama.cpp recognises it by its <c>&lt;|im_start|&gt;</c> markers.</summary>
    public const string ChatMl =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n'}}{% endfor %}" +
        "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

    /// <summary>
    /// ChatML with Hermes-style tools (the Qwen 2.5 layout without its default system prompt): tools in
    /// the system turn inside <c>&lt;tools&gt;&lt;/tools&gt;</c>, calls as <c>&lt;tool_call&gt;</c> JSON, results as
    /// <c>&lt;tool_response&gt;</c> in a user turn. What the demo model speaks: llama.cpp still reads it as
    /// ChatML, and the server matches it to its tool-capable ChatML template.
    /// </summary>
    public const string ChatMlTools =
        "{%- if tools %}{{- '<|im_start|>system\n' }}{%- if messages[0]['role'] == 'system' %}{{- messages[0]['content'] + '\n\n' }}{%- endif %}" +
        "{{- '# Tools\n\nYou may call one or more functions to assist with the user query.\n\nYou are provided with function signatures within <tools></tools> XML tags:\n<tools>' }}" +
        "{%- for tool in tools %}{{- '\n' + tool | tojson }}{%- endfor %}" +
        "{{- '\n</tools>\n\nFor each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, \"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n' }}{%- endif %}" +
        "{%- for message in messages %}{%- if message['role'] == 'system' and tools %}" +
        "{%- elif message['role'] == 'tool' %}{{- '<|im_start|>user\n<tool_response>\n' + message['content'] + '\n</tool_response><|im_end|>\n' }}" +
        "{%- elif message['role'] == 'assistant' and message['tool_calls'] %}{{- '<|im_start|>assistant\n' + message['content'] + '<tool_call>\n' }}" +
        "{%- for call in message['tool_calls'] %}{{- '{\"name\": \"' + call['function']['name'] + '\", \"arguments\": ' + call['function']['arguments'] | tojson + '}\n' }}{%- endfor %}" +
        "{{- '</tool_call><|im_end|>\n' }}{%- else %}{{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>\n' }}{%- endif %}{%- endfor %}" +
        "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- endif %}";

    /// <summary>The Llama 3 instruct template, for shaped files that stand in for Llama 3 models.</summary>
    public const string Llama3 =
        "{% set loop_messages = messages %}{% for message in loop_messages %}{% set content = '<|start_header_id|>' + message['role'] + " +
        "'<|end_header_id|>\n\n'+ message['content'] | trim + '<|eot_id|>' %}{% if loop.index0 == 0 %}{% set content = bos_token + content %}" +
        "{% endif %}{{ content }}{% endfor %}{% if add_generation_prompt %}{{ '<|start_header_id|>assistant<|end_header_id|>\n\n' }}{% endif %}";
}
